import { test } from "node:test";
import assert from "node:assert/strict";
import { layerGradientNorms, ACTIVATIONS } from "../math/depth.js";
import { mulberry32 } from "../math/random.js";

test("sigmoid layers: the gradient shrinks by orders of magnitude towards the input", () => {
  const n = layerGradientNorms({ depth: 20, activation: "sigmoid", init: "xavier" });
  assert.equal(n.length, 20);
  assert.ok(n[0] / n[19] < 1e-4, `ratio ${n[0] / n[19]}`);
});

test("ReLU with He initialization keeps layers within a small factor", () => {
  const n = layerGradientNorms({ depth: 20, activation: "relu", init: "he" });
  const ratio = n[0] / n[19];
  assert.ok(ratio > 0.1 && ratio < 10, `ratio ${ratio}`);
});

test("the norms are deterministic for a seed and positive", () => {
  const a = layerGradientNorms({ depth: 5, activation: "tanh", init: "xavier", seed: 4 });
  const b = layerGradientNorms({ depth: 5, activation: "tanh", init: "xavier", seed: 4 });
  assert.deepEqual(a, b);
  assert.ok(a.every((v) => v > 0 && Number.isFinite(v)));
});

test("activation derivatives match finite differences", () => {
  const h = 1e-6;
  for (const [name, act] of Object.entries(ACTIVATIONS)) {
    for (const z of [-1.7, 0.3, 2.2]) {
      const numeric = (act.f(z + h) - act.f(z - h)) / (2 * h);
      assert.ok(Math.abs(act.dFromOutput(act.f(z)) - numeric) < 1e-6, `${name} at ${z}`);
    }
  }
});

test("the seeded generator gives numbers in [0, 1)", () => {
  const r = mulberry32(42);
  const xs = Array.from({ length: 1000 }, r);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.notEqual(xs[0], xs[1]);
});
