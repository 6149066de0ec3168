import { test } from "node:test";
import assert from "node:assert/strict";
import { warmupCosineLr, earlyStopping, smooth } from "../math/schedule.js";
import { simulateRun } from "../math/run.js";

const close = (a, b, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("warmup ramps linearly to the base rate", () => {
  close(warmupCosineLr(0, 100, 10, 0.1), 0.01);
  close(warmupCosineLr(4, 100, 10, 0.1), 0.05);
  close(warmupCosineLr(9, 100, 10, 0.1), 0.1);
});

test("cosine decay: base at the end of warmup, half-way at the middle, min at the end", () => {
  close(warmupCosineLr(10, 100, 10, 0.1), 0.1);
  close(warmupCosineLr(55, 100, 10, 0.1), 0.05);
  close(warmupCosineLr(100, 100, 10, 0.1, 0.001), 0.001);
  close(warmupCosineLr(40, 100, 10, 0.1, 0.01), 0.01 + 0.5 * 0.09 * (1 + Math.cos(Math.PI / 3)));
});

test("the schedule is continuous where warmup ends", () => {
  assert.equal(warmupCosineLr(9, 50, 10, 3e-4), warmupCosineLr(10, 50, 10, 3e-4));
});

test("no warmup and total = warmup do not divide by zero", () => {
  close(warmupCosineLr(0, 10, 0, 1), 1);
  close(warmupCosineLr(5, 5, 5, 1), 1);
});

test("early stopping on the lesson's example stops at epoch 6, best epoch 4", () => {
  const r = earlyStopping([1.0, 0.8, 0.7, 0.72, 0.69, 0.71, 0.73], 2);
  assert.deepEqual(r, { stopEpoch: 6, bestEpoch: 4, stopped: true });
});

test("early stopping that never triggers returns the last index; min_delta counts", () => {
  assert.deepEqual(earlyStopping([3, 2, 1], 2), { stopEpoch: 2, bestEpoch: 2, stopped: false });
  assert.deepEqual(earlyStopping([1, 0.99, 0.98], 2, 0.05), { stopEpoch: 2, bestEpoch: 0, stopped: true });
});

test("smoothing matches lesson 10's example", () => {
  assert.deepEqual(smooth([1.0, 0.6, 0.9, 0.5, 0.7], 0.5).map((v) => Number(v.toFixed(3))), [1, 0.8, 0.85, 0.675, 0.688]);
});

test("the simulated run uses the exact schedule and stops patience epochs after its best", () => {
  const run = simulateRun({ epochs: 80, warmup: 8, baseLr: 0.1, patience: 4 });
  run.lr.forEach((lr, e) => close(lr, warmupCosineLr(e, 80, 8, 0.1)));
  assert.equal(run.stopped, true);
  assert.equal(run.stopEpoch - run.bestEpoch, 4);
  assert.ok(run.train[run.stopEpoch] < run.train[0] / 3, "training loss falls");
  assert.deepEqual(simulateRun({ seed: 3 }), simulateRun({ seed: 3 }), "seeded: same run every time");
});
