import { test } from "node:test";
import assert from "node:assert/strict";
import {
  INITS, weightStd, uniformBound, varianceGain, drawNetwork, stdsThrough, activationStds, describeTrend,
} from "../math/init.js";

const close = (a, b, tol, what) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test("the weight scales are the formulas of the lesson", () => {
  close(weightStd("he", 256), Math.sqrt(2 / 256), 1e-15, "He");
  close(weightStd("he", 256), 0.0884, 1e-4, "He, as printed");
  close(weightStd("glorot", 256, 128), Math.sqrt(2 / 384), 1e-15, "Glorot");
  close(weightStd("glorot", 256, 256), 1 / 16, 1e-15, "Glorot equals LeCun for a square layer");
  assert.equal(weightStd("small", 256), 0.01);
  assert.equal(weightStd("large", 256), 1);
  assert.throws(() => weightStd("orthogonal", 4), RangeError);
});

test("a uniform distribution on [-a, a] has variance a^2 / 3", () => {
  close(uniformBound(1 / 3), 1, 1e-15, "unit bound");
  close(uniformBound(2 / 512), Math.sqrt(6 / 512), 1e-15, "Glorot uniform, 256 x 256");
  close(uniformBound(2 / 512), 0.108, 5e-4, "as printed");
  close(uniformBound(2 / 256), 0.153, 5e-4, "He uniform, as printed");
  // and the variance of many uniform draws on [-a, a] agrees
  const a = 0.7;
  let sq = 0;
  const n = 200000;
  for (let i = 0; i < n; i++) sq += (a * (2 * ((i + 0.5) / n) - 1)) ** 2;
  close(sq / n, (a * a) / 3, 1e-6, "midpoint rule");
});

test("the variance gain per layer is n_in Var(w)", () => {
  close(varianceGain("glorot", 256), 1, 1e-12, "LeCun/Glorot");
  close(varianceGain("he", 256), 2, 1e-12, "He");
  close(varianceGain("small", 256), 0.0256, 1e-12, "0.01");
  close(varianceGain("large", 256), 256, 1e-12, "1.0");
});

test("every initialization has a label for the legend", () => {
  for (const [name, rule] of Object.entries(INITS)) assert.ok(rule.label, name);
});

test("ReLU with He keeps the spread level; with LeCun it halves the second moment per layer", () => {
  const he = activationStds({ activation: "relu", init: "he", depth: 10, width: 128 });
  assert.equal(he.length, 10);
  // one He ReLU layer on standard-normal inputs: E[h^2] = 1, E[h] = 1/sqrt(pi), std = sqrt(1 - 1/pi)
  close(he[0], Math.sqrt(1 - 1 / Math.PI), 0.05, "first layer");
  assert.ok(he[9] / he[0] > 0.5 && he[9] / he[0] < 2, `He ratio ${he[9] / he[0]}`);
  const lecun = activationStds({ activation: "relu", init: "glorot", depth: 10, width: 128 });
  const ratio = lecun[9] / lecun[0];
  // nine layers of halving the variance: a factor of 0.5^(9/2), about 0.044, give or take noise
  assert.ok(ratio > 0.01 && ratio < 0.15, `LeCun ratio ${ratio}`);
});

test("0.01 makes the signal vanish and 1.0 makes ReLU explode", () => {
  const small = activationStds({ activation: "relu", init: "small", depth: 10, width: 128 });
  assert.ok(small[9] < 1e-6, `0.01: ${small[9]}`);
  const large = activationStds({ activation: "relu", init: "large", depth: 10, width: 128 });
  assert.ok(large[9] > 1e6, `1.0: ${large[9]}`);
  assert.equal(describeTrend(small), "collapses towards zero");
  assert.equal(describeTrend(large), "explodes");
});

test("tanh with weights of 1.0 saturates: most outputs sit beyond ±0.99", () => {
  const network = drawNetwork({ depth: 5, width: 128, batch: 16 });
  const { stds, saturated } = stdsThrough(network, "tanh", weightStd("large", 128));
  assert.ok(stds.every((v) => v > 0.9), `stds ${stds}`);
  assert.ok(saturated.every((f) => f > 0.7), `saturated ${saturated}`);
  assert.equal(stdsThrough(network, "relu", 1).saturated, null);
});

test("tanh with Glorot fades slowly, with He it stays level", () => {
  const glorot = activationStds({ activation: "tanh", init: "glorot", depth: 10, width: 128 });
  const ratio = glorot[9] / glorot[0];
  assert.ok(ratio > 0.2 && ratio < 0.6, `Glorot ratio ${ratio}`);
  assert.equal(describeTrend(glorot), "shrinks steadily");
  const he = activationStds({ activation: "tanh", init: "he", depth: 10, width: 128 });
  assert.equal(describeTrend(he), "stays level");
});

test("a shallower network is the first layers of a deeper one, and a seed repeats", () => {
  const deep = activationStds({ activation: "tanh", init: "he", depth: 8, width: 32, seed: 3 });
  const shallow = activationStds({ activation: "tanh", init: "he", depth: 3, width: 32, seed: 3 });
  assert.deepEqual(shallow, deep.slice(0, 3));
  assert.deepEqual(deep, activationStds({ activation: "tanh", init: "he", depth: 8, width: 32, seed: 3 }));
  const network = drawNetwork({ depth: 8, width: 32, seed: 3 });
  assert.deepEqual(stdsThrough(network, "tanh", weightStd("he", 32), 3).stds, shallow);
});

test("ReLU is positively homogeneous: scaling the weights by c scales layer l by c^l", () => {
  const network = drawNetwork({ depth: 4, width: 16, batch: 8 });
  const a = stdsThrough(network, "relu", 0.1).stds;
  const b = stdsThrough(network, "relu", 0.3).stds;
  a.forEach((v, l) => close(b[l] / v, 3 ** (l + 1), 1e-9 * 3 ** (l + 1), `layer ${l + 1}`));
});

test("the trend words cover every case", () => {
  assert.equal(describeTrend([1, 1.2]), "stays level");
  assert.equal(describeTrend([1, 0.3]), "shrinks steadily");
  assert.equal(describeTrend([1, 5]), "grows steadily");
  assert.equal(describeTrend([1, 0]), "collapses to exactly zero");
  assert.equal(describeTrend([1, Infinity]), "overflows");
  assert.equal(describeTrend([1, NaN]), "overflows");
});
