import { test } from "node:test";
import assert from "node:assert/strict";
import { gradientDescentPath, quadratic2d, symmetricEigen2, bowl1d, describeFactor } from "../math/descent.js";

const close = (a, b, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("1-D path on x^2 from 3 with rate 0.1 is lesson 3's table", () => {
  const path = gradientDescentPath((x) => 2 * x, 3, 0.1, 4);
  assert.deepEqual(path.map((x) => Number(x.toFixed(3))), [3, 2.4, 1.92, 1.536, 1.229]);
});

test("2-D path on a quadratic: each step is x - lr H x, and it converges to 0", () => {
  const q = quadratic2d(3, 1, 2);
  const path = gradientDescentPath(q.grad, [1, -2], 0.1, 200);
  assert.equal(path.length, 201);
  const [x, y] = path[1];
  close(x, 1 - 0.1 * (3 * 1 + 1 * -2));
  close(y, -2 - 0.1 * (1 * 1 + 2 * -2));
  const last = path[path.length - 1];
  close(last[0], 0, 1e-6);
  close(last[1], 0, 1e-6);
});

test("the quadratic's gradient matches finite differences", () => {
  const q = quadratic2d(3, 1, 2);
  const p = [0.3, -0.7];
  const h = 1e-6;
  const g = q.grad(p);
  close(g[0], (q.f([p[0] + h, p[1]]) - q.f([p[0] - h, p[1]])) / (2 * h), 1e-6);
  close(g[1], (q.f([p[0], p[1] + h]) - q.f([p[0], p[1] - h])) / (2 * h), 1e-6);
});

test("lesson 4's bowl a = 4: the table of x1..x3 and the 2/a limit", () => {
  const bowl = bowl1d(4);
  const rows = { 0.1: [0.6, 0.36, 0.216], 0.25: [0, 0, 0], 0.4: [-0.6, 0.36, -0.216], 0.5: [-1, 1, -1], 0.6: [-1.4, 1.96, -2.744] };
  for (const [lr, expected] of Object.entries(rows)) {
    const path = gradientDescentPath(bowl.grad, 1, Number(lr), 3);
    expected.forEach((v, i) => close(path[i + 1], v, 1e-12));
  }
  assert.equal(bowl.converges(0.49), true);
  assert.equal(bowl.converges(0.5), false);
  assert.equal(describeFactor(bowl.factor(0.25)), "lands on the bottom in one step");
  assert.equal(describeFactor(bowl.factor(0.6)), "diverges");
  assert.equal(describeFactor(bowl.factor(0.4)), "zigzag, converging");
});

test("a diverging run stops at the first non-finite value", () => {
  const path = gradientDescentPath((x) => 4 * x, 1, 10, 300);
  assert.ok(path.length < 301);
  assert.ok(!Number.isFinite(path[path.length - 1]));
  // lesson 4: x is multiplied by -39 each step and overflows at step 193
  assert.equal(path.length - 1, 194);
});

test("eigen-decomposition of a symmetric 2x2 matrix", () => {
  const { values, angle } = symmetricEigen2(2, 0, 5);
  assert.deepEqual(values, [5, 2]);
  close(Math.abs(angle), Math.PI / 2);
  const e = symmetricEigen2(3, 1, 3);
  close(e.values[0], 4);
  close(e.values[1], 2);
  close(e.angle, Math.PI / 4);
});

test("the stepper's bowl x² (a = 2): a step multiplies x by 1 − 2α, the same as x − α·2x", () => {
  const bowl = bowl1d(2);
  close(bowl.f(3), 9, 1e-12);
  close(bowl.grad(3), 6, 1e-12);
  for (const lr of [0.05, 0.1, 0.5, 0.95]) {
    close(bowl.factor(lr) * 3, 3 - lr * bowl.grad(3), 1e-12);
  }
  close(bowl.factor(0.1), 0.8, 1e-12); // the widget's note: 0.8 at α = 0.1
});
