import { test } from "node:test";
import assert from "node:assert/strict";
import {
  mse, mseGrad, crossEntropy, binaryCrossEntropy, normalize, softmax, oneHot,
  squaredError, absoluteError,
} from "../math/loss.js";

const close = (a, b, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("mse of the lesson's three-class prediction is 0.0467", () => {
  close(mse([0.7, 0.2, 0.1], [1, 0, 0]), 0.14 / 3);
  assert.equal(mse([0.7, 0.2, 0.1], [1, 0, 0]).toFixed(4), "0.0467");
});

test("mse of the house prices matches the lesson's squared errors", () => {
  assert.equal(mse([350000], [320000]), 9e8);
  assert.equal(mse([322000], [320000]), 4e6);
});

test("an error of 2 costs four times an error of 1", () => {
  assert.equal(squaredError(2) / squaredError(1), 4);
  assert.equal(absoluteError(-2) / absoluteError(1), 2);
});

test("mse gradient is 2 (pred - true) / n and matches finite differences", () => {
  const pred = [0.7, 0.2, 0.1, -1.5];
  const truth = [1, 0, 0, 2];
  const g = mseGrad(pred, truth);
  const h = 1e-6;
  pred.forEach((_, i) => {
    const up = pred.slice(); up[i] += h;
    const down = pred.slice(); down[i] -= h;
    close(g[i], (mse(up, truth) - mse(down, truth)) / (2 * h), 1e-7);
  });
});

test("mse rejects arrays of different lengths", () => {
  assert.throws(() => mse([1, 2], [1]), RangeError);
});

test("cross-entropy is -ln of the true class's probability", () => {
  close(crossEntropy([0.7, 0.2, 0.1], 0), -Math.log(0.7));
  close(crossEntropy(oneHot(2, 3), 2), 0, 1e-11);
  assert.ok(Number.isFinite(crossEntropy([1, 0, 0], 1)), "clipped, not Infinity");
});

test("binary cross-entropy: ln 2 at a coin flip, symmetric in the labels", () => {
  close(binaryCrossEntropy(0.5, 1), Math.LN2);
  close(binaryCrossEntropy(0.9, 1), binaryCrossEntropy(0.1, 0));
  close(binaryCrossEntropy(0.8, 1), -Math.log(0.8));
});

test("normalize and softmax give probabilities, softmax stays finite on huge logits", () => {
  const p = normalize([2, 1, 1]);
  assert.deepEqual(p, [0.5, 0.25, 0.25]);
  assert.deepEqual(normalize([0, 0]), [0.5, 0.5]);
  const s = softmax([1e4, 0, -1e4]);
  assert.ok(s.every(Number.isFinite));
  close(s[0], 1);
  close(softmax([0, Math.log(3)])[1], 0.75);
});
