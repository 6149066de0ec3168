import test from "node:test";
import assert from "node:assert/strict";
import { backoffDelay, pollUntilDone, PollStopped } from "../exercise/polling.js";

test("the delay starts at 400 ms and backs off to a cap", () => {
  assert.equal(backoffDelay(0), 400);
  assert.equal(backoffDelay(1), 600);
  assert.equal(backoffDelay(2), 900);
  assert.equal(backoffDelay(50), 4000);
  assert.ok([0, 1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n)).every((d, i, all) => i === 0 || d >= all[i - 1]));
});

test("it polls until the submission is done and reports every state", async () => {
  const states = ["queued", "running", "running", "done"];
  const seen = [];
  const slept = [];
  const final = await pollUntilDone({
    fetchOnce: async () => ({ state: states.shift() }),
    onUpdate: (v) => seen.push(v.state),
    sleep: async (ms) => slept.push(ms),
  });
  assert.equal(final.state, "done");
  assert.deepEqual(seen, ["queued", "running", "running", "done"]);
  assert.deepEqual(slept, [400, 600, 900]);
});

test("it rides out a few network errors", async () => {
  let calls = 0;
  const final = await pollUntilDone({
    fetchOnce: async () => {
      calls += 1;
      if (calls < 3) throw new Error("offline");
      return { state: "done" };
    },
    sleep: async () => {},
  });
  assert.equal(final.state, "done");
  assert.equal(calls, 3);
});

test("it gives up after too many errors in a row", async () => {
  await assert.rejects(
    pollUntilDone({ fetchOnce: async () => { throw new Error("down"); }, sleep: async () => {}, maxErrors: 3 }),
    /down/,
  );
});

test("it stops waiting after maxWaitMs", async () => {
  let t = 0;
  await assert.rejects(
    pollUntilDone({ fetchOnce: async () => ({ state: "queued" }), sleep: async (ms) => { t += ms; }, now: () => t, maxWaitMs: 5000 }),
    PollStopped,
  );
});

test("an aborted poll stops", async () => {
  const controller = new AbortController();
  let calls = 0;
  await assert.rejects(
    pollUntilDone({
      fetchOnce: async () => { calls += 1; controller.abort(); return { state: "queued" }; },
      sleep: async () => {},
      signal: controller.signal,
    }),
    PollStopped,
  );
  assert.equal(calls, 1);
});
