import test from "node:test";
import assert from "node:assert/strict";
import { contourLevels, contourSegments, contours, sampleGrid } from "../exercise/contour.js";
import { SURFACE_NAMES, surfaceFunction } from "../exercise/surfaces.js";

test("the surfaces match sandbox/testfns.py", () => {
  const valley = surfaceFunction({ name: "narrow_valley", params: { scale: 25 } });
  assert.equal(valley([-1.5, 1]), 2.25 + 25);
  assert.equal(surfaceFunction({ name: "narrow_valley", params: {} })([0, 1]), 100);
  const rosen = surfaceFunction({ name: "rosenbrock", params: {} });
  assert.equal(rosen([1, 1]), 0);
  assert.equal(rosen([0, 0]), 1);
  const bowl = surfaceFunction({ name: "sum_of_squares", params: { center: { array: [1, 2], shape: [2] } } });
  assert.equal(bowl([1, 2]), 0);
  assert.equal(bowl([0, 0]), 5);
  const quad = surfaceFunction({ name: "quadratic", params: { A: { array: [[2, 0], [0, 4]], shape: [2, 2] }, b: { array: [1, 0], shape: [2] } } });
  assert.equal(quad([1, 1]), 0.5 * (2 + 4) - 1);
  assert.ok(Math.abs(surfaceFunction({ name: "tanh_sum" })([1, 0]) - Math.tanh(1)) < 1e-12);
});

test("every surface used by the shipped figures is known", () => {
  // the Figure checks of gradient-descent, momentum, rmsprop, adam and adamw
  assert.ok(SURFACE_NAMES.includes("narrow_valley"));
  assert.equal(surfaceFunction({ name: "tiny_mlp", params: {} }), null);
  assert.equal(surfaceFunction(null), null);
});

test("levels rise from near the minimum to near the top", () => {
  const levels = contourLevels([[0, 1], [10, 100]], 5);
  assert.equal(levels.length, 5);
  assert.ok(levels.every((l, i) => i === 0 || l > levels[i - 1]));
  assert.ok(levels[0] > 0 && levels[0] < 1 && levels[4] < 100);
  assert.deepEqual(contourLevels([[1, 1], [1, 1]]), []);
});

test("a circle's contour points lie on the circle", () => {
  const grid = sampleGrid(([x, y]) => x * x + y * y, [-2, 2], [-2, 2], 81, 81);
  const segments = contourSegments(grid, 1);
  assert.ok(segments.length > 40);
  for (const segment of segments) {
    for (const [x, y] of segment) assert.ok(Math.abs(Math.hypot(x, y) - 1) < 0.01, `${x}, ${y}`);
  }
});

test("a level outside the values draws nothing", () => {
  const grid = sampleGrid(([x, y]) => x + y, [0, 1], [0, 1], 5, 5);
  assert.deepEqual(contourSegments(grid, 10), []);
});

test("contours of the narrow valley are stretched along x", () => {
  const valley = surfaceFunction({ name: "narrow_valley", params: { scale: 25 } });
  const rings = contours(valley, [-3, 3], [-3, 3], { count: 6 });
  assert.equal(rings.length, 6);
  const points = rings[2].segments.flat();
  const width = Math.max(...points.map((p) => Math.abs(p[0])));
  const height = Math.max(...points.map((p) => Math.abs(p[1])));
  assert.ok(width / height > 4 && width / height < 6, `aspect ${width / height}`);
});
