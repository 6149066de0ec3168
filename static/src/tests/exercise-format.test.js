import test from "node:test";
import assert from "node:assert/strict";
import { failingInputRows, formatNumber, formatPercent, formatShape, formatValue, signatureParams } from "../exercise/format.js";

test("numbers read without float noise", () => {
  assert.equal(formatNumber(0.1 + 0.2), "0.3");
  assert.equal(formatNumber(3), "3");
  assert.equal(formatNumber(1.5e-8), "1.5e-8");
  assert.equal(formatNumber(1234567.8), "1.2346e6");
  assert.equal(formatNumber(2500000000), "2500000000");
  assert.equal(formatNumber(-0.000123456), "-0.000123456");
  assert.equal(formatNumber(-0.0000123456), "-1.2346e-5");
  assert.equal(formatNumber(NaN), "nan");
});

test("shapes are written the numpy way", () => {
  assert.equal(formatShape([]), "scalar");
  assert.equal(formatShape([3]), "(3,)");
  assert.equal(formatShape([2, 3]), "(2, 3)");
});

test("a small array summary shows its values and shape", () => {
  assert.equal(formatValue({ array: [[1, 2.5], [0, -1]], shape: [2, 2] }), "array([[1, 2.5], [0, -1]])  shape (2, 2)");
  assert.equal(formatValue({ array: 0.5, shape: [] }), "0.5");
  assert.equal(formatValue({ array: [true, false], shape: [2] }), "array([True, False])  shape (2,)");
});

test("a large array summary says it is truncated", () => {
  assert.equal(formatValue({ shape: [100, 3], first: [1, 2] }), "array of shape (100, 3) (300 values), starting [1, 2] …");
});

test("plain values read as Python", () => {
  assert.equal(formatValue(null), "None");
  assert.equal(formatValue(true), "True");
  assert.equal(formatValue("nan"), "nan");
  assert.equal(formatValue([1, { array: [2], shape: [1] }]), "[1, array([2])  shape (1,)]");
  assert.equal(formatValue({ lr: 0.1 }), "{lr: 0.1}");
  assert.equal(formatValue("<narrow_valley.grad test function>"), "<narrow_valley.grad test function>");
});

test("signature parameters are read in order, defaults dropped", () => {
  assert.deepEqual(signatureParams("adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9) -> (w, m, v)"), ["w", "grad", "m", "v", "t", "lr", "beta1"]);
  assert.deepEqual(signatureParams("class Value"), []);
});

test("failing input rows use the signature's names for positional args", () => {
  const rows = failingInputRows({ arg1: { array: [1], shape: [1] }, arg2: 0.5, arg4: 3, beta: 0 }, "momentum_step(w, grad, velocity) -> (w, velocity)");
  assert.deepEqual(rows, [
    { name: "w", value: "array([1])  shape (1,)" },
    { name: "grad", value: "0.5" },
    { name: "argument 4", value: "3" },
    { name: "beta", value: "0" },
  ]);
  assert.deepEqual(failingInputRows(null, ""), []);
});

test("scores are whole percentages", () => {
  assert.equal(formatPercent(0.756), "76%");
  assert.equal(formatPercent(null), "");
});

test("a test function reads as the function it stands for", () => {
  assert.equal(formatValue({ function: "the gradient of f(x) = Σ xᵢ²" }), "the gradient of f(x) = Σ xᵢ²");
  assert.equal(formatValue({ function: 1, other: 2 }), "{function: 1, other: 2}");
});

test("failing inputs are listed in the signature's order, whatever order the result kept", () => {
  const rows = failingInputRows({ lr: 0.5, x0: 1, steps: 2, grad_fn: { function: "the gradient of f" } },
    "gradient_descent(grad_fn, x0, lr, steps) -> ndarray");
  assert.deepEqual(rows.map((r) => r.name), ["grad_fn", "x0", "lr", "steps"]);
});
