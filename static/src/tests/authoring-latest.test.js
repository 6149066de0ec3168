import test from "node:test";
import assert from "node:assert/strict";
import { createLatestRunner } from "../authoring/latest.js";

// Timers the test moves by hand.
function fakeTimers() {
  let now = 0;
  let next = 0;
  const pending = new Map();
  return {
    setTimeout(fn, ms) {
      next += 1;
      pending.set(next, { at: now + ms, fn });
      return next;
    },
    clearTimeout(id) {
      pending.delete(id);
    },
    advance(ms) {
      now += ms;
      for (const [id, timer] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
        if (timer.at > now) continue;
        pending.delete(id);
        timer.fn();
      }
    },
    get count() {
      return pending.size;
    },
  };
}

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test("a burst of changes sends one request, with the last text, after the quiet delay", async () => {
  const timers = fakeTimers();
  const sent = [];
  const runner = createLatestRunner({ task: async (input) => sent.push(input), delay: 400, timers });
  runner.schedule("a");
  timers.advance(300);
  runner.schedule("ab");
  timers.advance(300);
  runner.schedule("abc");
  timers.advance(399);
  assert.deepEqual(sent, []);
  timers.advance(1);
  assert.deepEqual(sent, ["abc"]);
});

test("a change aborts the request still in flight for the older text", async () => {
  const timers = fakeTimers();
  const signals = [];
  const runner = createLatestRunner({ task: (input, signal) => { signals.push(signal); return new Promise(() => {}); }, timers });
  runner.run("old");
  assert.equal(signals[0].aborted, false);
  runner.schedule("new");
  assert.equal(signals[0].aborted, true, "aborted at the change, before the new request goes out");
  timers.advance(400);
  assert.equal(signals.length, 2);
  assert.equal(signals[1].aborted, false);
});

test("an answer to an older request is dropped even when the task ignored the abort", async () => {
  const answers = { a: deferred(), b: deferred() };
  const shown = [];
  const runner = createLatestRunner({ task: (input) => answers[input].promise, onResult: (result, input) => shown.push([input, result]) });
  runner.run("a");
  runner.run("b");
  answers.b.resolve("answer to b");
  await settle();
  answers.a.resolve("answer to a, arriving late");
  await settle();
  assert.deepEqual(shown, [["b", "answer to b"]]);
});

test("an answer that arrives while a newer change waits for its delay is dropped", async () => {
  const timers = fakeTimers();
  const answer = deferred();
  const shown = [];
  const runner = createLatestRunner({ task: () => answer.promise, onResult: (result) => shown.push(result), timers });
  runner.run("first");
  runner.schedule("second");
  answer.resolve("about first");
  await settle();
  assert.deepEqual(shown, []);
});

test("the newest request's failure is reported and a stale one's is not", async () => {
  const answers = { a: deferred(), b: deferred() };
  const errors = [];
  const runner = createLatestRunner({ task: (input) => answers[input].promise, onError: (error, input) => errors.push([input, error.message]) });
  runner.run("a");
  runner.run("b");
  answers.a.reject(new Error("stale failure"));
  answers.b.reject(new Error("server down"));
  await settle();
  assert.deepEqual(errors, [["b", "server down"]]);
});

test("a task that throws at once is reported like a failed request", async () => {
  const errors = [];
  const runner = createLatestRunner({ task: () => { throw new Error("bad input"); }, onError: (error) => errors.push(error.message) });
  await runner.run("x");
  assert.deepEqual(errors, ["bad input"]);
});

test("onStart runs when the request goes out, not at every keystroke", async () => {
  const timers = fakeTimers();
  const started = [];
  const runner = createLatestRunner({ task: async () => {}, onStart: (input) => started.push(input), timers });
  runner.schedule("a");
  runner.schedule("ab");
  assert.deepEqual(started, []);
  timers.advance(400);
  assert.deepEqual(started, ["ab"]);
});

test("cancel drops the waiting change and the answer under way", async () => {
  const timers = fakeTimers();
  const answer = deferred();
  const shown = [];
  let calls = 0;
  const runner = createLatestRunner({ task: () => { calls += 1; return answer.promise; }, onResult: (r) => shown.push(r), timers });
  runner.run("open");
  runner.cancel();
  answer.resolve("late");
  runner.schedule("typed");
  runner.cancel();
  timers.advance(1000);
  await settle();
  assert.equal(calls, 1);
  assert.deepEqual(shown, []);
  assert.equal(timers.count, 0);
});

test("busy covers the wait for the delay and for the answer", async () => {
  const timers = fakeTimers();
  const answer = deferred();
  const runner = createLatestRunner({ task: () => answer.promise, timers });
  assert.equal(runner.busy, false);
  runner.schedule("a");
  assert.equal(runner.busy, true);
  timers.advance(400);
  assert.equal(runner.busy, true);
  answer.resolve("done");
  await settle();
  assert.equal(runner.busy, false);
});
