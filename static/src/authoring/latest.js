// Runs an async task on the newest input only, for checks that follow typing (validation,
// the lesson preview). A change waits `delay` ms of quiet before its request goes out and
// aborts the request still in flight for older text at once, so the server never works on
// text that is already gone; an answer to any request but the newest is dropped, even when
// the task ignored its abort signal, so a slow answer never paints over a newer one.
// Free of the DOM (timers are injectable) so node's test runner can drive it.

export function createLatestRunner({
  task,
  delay = 400,
  onStart = () => {},
  onResult = () => {},
  onError = () => {},
  timers = globalThis,
}) {
  let timer = null;
  let controller = null;
  let newest = 0;

  function cancel() {
    if (timer !== null) {
      timers.clearTimeout(timer);
      timer = null;
    }
    if (controller) {
      controller.abort();
      controller = null;
    }
    // Whatever was under way is stale from here on, answered or not.
    newest += 1;
  }

  function run(input) {
    cancel();
    const id = newest;
    const mine = new AbortController();
    controller = mine;
    const current = () => id === newest && !mine.signal.aborted;
    onStart(input);
    let answer;
    try {
      answer = Promise.resolve(task(input, mine.signal));
    } catch (error) {
      answer = Promise.reject(error);
    }
    return answer.then(
      (result) => {
        if (!current()) return;
        controller = null;
        onResult(result, input);
      },
      (error) => {
        if (!current()) return;
        controller = null;
        onError(error, input);
      },
    );
  }

  function schedule(input) {
    cancel();
    timer = timers.setTimeout(() => {
      timer = null;
      run(input);
    }, delay);
  }

  return {
    schedule,
    run,
    cancel,
    /** True while a change waits for its request or the request waits for its answer. */
    get busy() {
      return timer !== null || controller !== null;
    },
  };
}
