import { test } from "node:test";
import assert from "node:assert/strict";
import { LESSON_NETWORK, forward, backward, numericGradient, walkthrough, formatNumber } from "../math/backprop.js";

const close = (a, b, tol = 1e-7) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("forward pass of lesson 7's network: z 1.5, h 1.5, yhat 0.5, loss 0.25", () => {
  assert.deepEqual(forward(LESSON_NETWORK), { z: 1.5, h: 1.5, yhat: 0.5, loss: 0.25 });
});

test("backward pass gives the lesson's table", () => {
  assert.deepEqual(backward(LESSON_NETWORK), { dYhat: -1, dW2: -1.5, dB2: -1, dH: 1, dZ: 1, dW1: 2, dB1: 1 });
});

const cases = [
  LESSON_NETWORK,
  { x: -1.3, y: 0.4, w1: 0.8, b1: 2.1, w2: 1.7, b2: -0.3 },
  { x: 3, y: -2, w1: -0.4, b1: 0.1, w2: 0.6, b2: 0.9 }, // ReLU inactive: z < 0
];

test("every parameter's gradient matches central finite differences", () => {
  for (const params of cases) {
    const g = backward(params);
    const analytic = { w1: g.dW1, b1: g.dB1, w2: g.dW2, b2: g.dB2 };
    for (const name of Object.keys(analytic)) {
      close(analytic[name], numericGradient(params, name), 1e-6);
    }
  }
});

test("the walkthrough lists forward values then gradients, 11 steps", () => {
  const steps = walkthrough(LESSON_NETWORK);
  assert.equal(steps.length, 11);
  assert.deepEqual(steps.slice(0, 4).map((s) => s.phase), ["forward", "forward", "forward", "forward"]);
  assert.deepEqual(steps.map((s) => s.value), [1.5, 1.5, 0.5, 0.25, -1, -1.5, -1, 1, 1, 2, 1]);
});

test("numbers are shown with at most four significant digits and a real minus", () => {
  assert.equal(formatNumber(-1.5), "−1.5");
  assert.equal(formatNumber(2 / 3), "0.6667");
  assert.equal(formatNumber(-0), "0");
});

test("rules show the numbers substituted, negatives in parentheses", () => {
  const dH = walkthrough(LESSON_NETWORK).find((st) => st.key === "dH");
  assert.equal(dH.rule, "∂L/∂ŷ · w₂ = (−1)·(−1)");
});
