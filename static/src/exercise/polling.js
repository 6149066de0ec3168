// Polling a submission until it is graded: quick at first, then backing off so a long
// queue does not turn every open tab into a load test. The exercise page asks with
// ?wait=, so each request itself waits on the server for the next change.

export function backoffDelay(attempt, { initial = 400, factor = 1.5, max = 4000 } = {}) {
  return Math.min(max, Math.round(initial * factor ** Math.max(0, attempt)));
}

const realSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls fetchOnce() until isDone(value); onUpdate sees every answer. Network errors are
 * retried on the same back-off, up to maxErrors in a row. Resolves with the last value,
 * or rejects with the last error, or with a "gave up" error after maxWaitMs.
 */
export async function pollUntilDone({
  fetchOnce,
  onUpdate = () => {},
  isDone = (value) => value && value.state === "done",
  sleep = realSleep,
  now = () => Date.now(),
  maxWaitMs = 10 * 60 * 1000,
  maxErrors = 5,
  signal = null,
  delays = {},
}) {
  const started = now();
  let errors = 0;
  for (let attempt = 0; ; attempt += 1) {
    if (signal && signal.aborted) throw new PollStopped("stopped");
    let value;
    try {
      value = await fetchOnce();
      errors = 0;
    } catch (error) {
      errors += 1;
      if (errors >= maxErrors) throw error;
    }
    if (value !== undefined) {
      onUpdate(value);
      if (isDone(value)) return value;
    }
    if (now() - started > maxWaitMs) throw new PollStopped("gave up waiting");
    await sleep(backoffDelay(attempt, delays));
  }
}

export class PollStopped extends Error {}
