import { test } from "node:test";
import assert from "node:assert/strict";
import { sgdStep, momentumStep, adamStep, makeOptimizer, narrowValley, stepsToReach } from "../math/optimizers.js";

const close = (a, b, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("one Adam step with bias correction moves each weight by about lr", () => {
  const { w, m, v } = adamStep([1, -2], [0.5, -3], [0, 0], [0, 0], 1, 0.01);
  close(m[0], 0.05); close(m[1], -0.3);
  close(v[0], 0.001 * 0.25); close(v[1], 0.001 * 9);
  // mhat = g, vhat = g^2 on the first step, so the move is lr * g / (|g| + eps)
  close(w[0], 1 - 0.01 * 0.5 / (0.5 + 1e-8));
  close(w[1], -2 + 0.01 * 3 / (3 + 1e-8));
});

test("Adam's second step uses t = 2 in the bias correction", () => {
  const s1 = adamStep([0], [1], [0], [0], 1, 0.1);
  const s2 = adamStep(s1.w, [2], s1.m, s1.v, 2, 0.1);
  const m = 0.9 * 0.1 + 0.1 * 2;
  const v = 0.999 * 0.001 + 0.001 * 4;
  const expected = s1.w[0] - (0.1 * (m / (1 - 0.81))) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
  close(s2.w[0], expected);
  assert.throws(() => adamStep([0], [1], [0], [0], 0), RangeError);
});

test("momentum: v = beta v + g; w -= lr v, and beta = 0 is plain SGD", () => {
  const { w, v } = momentumStep([1], [2], [0.5], 0.1, 0.9);
  close(v[0], 0.9 * 0.5 + 2);
  close(w[0], 1 - 0.1 * 2.45);
  const plain = sgdStep([1, 2], [3, -4], 0.1);
  const m0 = momentumStep([1, 2], [3, -4], [7, 7], 0.1, 0);
  assert.deepEqual(m0.w, plain);
});

test("the race of lesson 6: plain SGD needs 146 steps, momentum 91", () => {
  assert.equal(stepsToReach(makeOptimizer("sgd", { lr: 0.035 }), narrowValley), 146);
  assert.equal(stepsToReach(makeOptimizer("momentum", { lr: 0.035, beta: 0.9 }), narrowValley), 91);
  const adamSteps = stepsToReach(makeOptimizer("adam", { lr: 0.3 }), narrowValley);
  assert.ok(adamSteps !== null && adamSteps < 146, `adam took ${adamSteps}`);
});

test("the Adam runner matches adamStep called by hand", () => {
  const runner = makeOptimizer("adam", { lr: 0.05 });
  let p = [-8, 1];
  let state = { m: [0, 0], v: [0, 0] };
  let q = p.slice();
  for (let t = 1; t <= 5; t++) {
    p = runner.step(p, narrowValley.grad(p));
    const out = adamStep(q, narrowValley.grad(q), state.m, state.v, t, 0.05);
    state = out; q = out.w;
  }
  assert.deepEqual(p, q);
});
