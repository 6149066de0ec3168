import { test } from "node:test";
import assert from "node:assert/strict";
import {
  LANDSCAPE, CRITICAL_POINTS, EXTENT, makeLandscape, precision, eigenvalues2, classifyCritical, newtonCritical,
  descend, outcome, basinShares, randomStarts, ridgeStart, stableLine, contourSegments,
} from "../math/landscape.js";
import { mulberry32 } from "../math/random.js";

const byShort = Object.fromEntries(CRITICAL_POINTS.map((c) => [c.short, c]));
const distance = (p, q) => Math.hypot(p[0] - q[0], p[1] - q[1]);

test("the listed points are critical: the gradient vanishes there", () => {
  assert.equal(CRITICAL_POINTS.length, 3);
  for (const c of CRITICAL_POINTS) {
    const [gx, gy] = LANDSCAPE.grad(c.point);
    assert.ok(Math.hypot(gx, gy) < 1e-12, `${c.name}: |grad| = ${Math.hypot(gx, gy)}`);
  }
});

test("the Hessian has two positive eigenvalues at the minima and opposite signs at the saddle", () => {
  for (const short of ["global", "local"]) {
    const [big, small] = eigenvalues2(LANDSCAPE.hessian(byShort[short].point));
    assert.ok(big > 0 && small > 0.5, `${short}: eigenvalues ${big}, ${small}`);
    assert.equal(byShort[short].kind, "minimum");
  }
  const [up, down] = eigenvalues2(LANDSCAPE.hessian(byShort.saddle.point));
  assert.ok(up > 0.5 && down < -0.5, `saddle: eigenvalues ${up}, ${down}`);
  assert.equal(byShort.saddle.kind, "saddle");
  assert.equal(classifyCritical([[-1, 0], [0, -2]]), "maximum");
});

test("the two minima have different depths, and the saddle lies above both", () => {
  const { global, local, saddle } = byShort;
  assert.ok(global.loss < local.loss - 0.2, `${global.loss} vs ${local.loss}`);
  assert.ok(saddle.loss > local.loss + 0.2, `${saddle.loss} vs ${local.loss}`);
  assert.ok(CRITICAL_POINTS.every((c) => Math.max(...c.point.map(Math.abs)) < EXTENT - 1));
});

test("there are no other critical points on the map (Newton from a grid of seeds)", () => {
  for (let i = 0; i <= 40; i++) {
    for (let j = 0; j <= 40; j++) {
      const p = newtonCritical(LANDSCAPE, [-4 + (8 * i) / 40, -4 + (8 * j) / 40]);
      if (!p || Math.max(Math.abs(p[0]), Math.abs(p[1])) > EXTENT + 1) continue;
      assert.ok(CRITICAL_POINTS.some((c) => distance(c.point, p) < 1e-6), `unlisted critical point ${p}`);
    }
  }
});

test("the analytic gradient matches central finite differences", () => {
  const uniform = mulberry32(11);
  const h = 1e-6;
  for (let k = 0; k < 50; k++) {
    const p = [(2 * uniform() - 1) * EXTENT, (2 * uniform() - 1) * EXTENT];
    const g = LANDSCAPE.grad(p);
    const fx = (LANDSCAPE.f([p[0] + h, p[1]]) - LANDSCAPE.f([p[0] - h, p[1]])) / (2 * h);
    const fy = (LANDSCAPE.f([p[0], p[1] + h]) - LANDSCAPE.f([p[0], p[1] - h])) / (2 * h);
    assert.ok(Math.abs(g[0] - fx) < 1e-7 && Math.abs(g[1] - fy) < 1e-7, `at ${p}: ${g} vs ${[fx, fy]}`);
  }
});

test("the analytic Hessian matches finite differences of the gradient", () => {
  const uniform = mulberry32(12);
  const h = 1e-6;
  for (let k = 0; k < 30; k++) {
    const p = [(2 * uniform() - 1) * EXTENT, (2 * uniform() - 1) * EXTENT];
    const H = LANDSCAPE.hessian(p);
    const gxp = LANDSCAPE.grad([p[0] + h, p[1]]), gxm = LANDSCAPE.grad([p[0] - h, p[1]]);
    const gyp = LANDSCAPE.grad([p[0], p[1] + h]), gym = LANDSCAPE.grad([p[0], p[1] - h]);
    const numeric = [
      [(gxp[0] - gxm[0]) / (2 * h), (gyp[0] - gym[0]) / (2 * h)],
      [(gxp[1] - gxm[1]) / (2 * h), (gyp[1] - gym[1]) / (2 * h)],
    ];
    for (const [i, j] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
      assert.ok(Math.abs(H[i][j] - numeric[i][j]) < 1e-6, `at ${p}: H[${i}][${j}] ${H[i][j]} vs ${numeric[i][j]}`);
    }
  }
});

test("a single well is a minimum of the formula it was built from", () => {
  const one = makeLandscape({ base: 1, bowl: 0, wells: [{ center: [0.5, -0.5], depth: 1, precision: precision(1, 2, 0.3) }] });
  const p = newtonCritical(one, [0.4, -0.4]);
  assert.ok(distance(p, [0.5, -0.5]) < 1e-12);
  assert.ok(Math.abs(one.f(p)) < 1e-15);
  // its Hessian there is the precision matrix itself
  const [a, b, c] = precision(1, 2, 0.3);
  const H = one.hessian(p);
  assert.ok(Math.abs(H[0][0] - a) < 1e-12 && Math.abs(H[0][1] - b) < 1e-12 && Math.abs(H[1][1] - c) < 1e-12);
});

test("descent from a point in each basin reaches that basin's minimum", () => {
  const starts = { global: [[2.5, 0.5], [0.5, -2.5], [2.8, -2.8], [0, 0]], local: [[-2, 2], [-2.8, 0], [-1, 2.8], [-1, 0.3]] };
  for (const [short, points] of Object.entries(starts)) {
    for (const start of points) {
      for (const lr of [0.05, 0.1, 0.3]) {
        const o = outcome(LANDSCAPE, descend(LANDSCAPE, start, lr, 3000));
        assert.equal(o.kind, "minimum", `from ${start} at ${lr}: ${o.kind}`);
        assert.equal(o.which.short, short, `from ${start} at ${lr}`);
        assert.ok(distance(o.end, byShort[short].point) < 1e-6);
      }
    }
  }
});

test("the loss never rises along a descent path with a small rate", () => {
  const path = descend(LANDSCAPE, [-2.8, -2.8], 0.1, 500);
  const losses = path.map(LANDSCAPE.f);
  losses.forEach((v, i) => i === 0 || assert.ok(v <= losses[i - 1] + 1e-15, `step ${i}`));
});

test("a start exactly on the saddle's stable line goes to the saddle and stays there for a while", () => {
  const saddle = byShort.saddle.point;
  for (const lr of [0.1, 0.3]) {
    const start = ridgeStart(LANDSCAPE, lr);
    assert.ok(start, "the two ends of the line fall into different basins");
    // the walk takes about 10/lr steps to cross the plain down to the pass
    const path = descend(LANDSCAPE, start, lr, Math.round(20 / lr), { tol: 0 });
    const end = outcome(LANDSCAPE, path);
    assert.equal(end.kind, "saddle", `at rate ${lr} it ended ${end.kind}`);
    // it arrives and then sits: the last 25 steps are all within 1e-4 of the saddle
    assert.ok(path.slice(-25).every((p) => distance(p, saddle) < 1e-4));
    // ... but not forever: the offset from the line grows each step, and it rolls off
    const long = outcome(LANDSCAPE, descend(LANDSCAPE, start, lr, 3000, { tol: 0 }));
    assert.equal(long.kind, "minimum");
    assert.ok(long.nearSaddle > 50, `lingered only ${long.nearSaddle} steps`);
  }
});

test("starts just beside the stable line fall into different minima", () => {
  const start = ridgeStart(LANDSCAPE, 0.1);
  const left = outcome(LANDSCAPE, descend(LANDSCAPE, [start[0] - 1e-3, start[1]], 0.1, 3000));
  const right = outcome(LANDSCAPE, descend(LANDSCAPE, [start[0] + 1e-3, start[1]], 0.1, 3000));
  assert.deepEqual([left.which.short, right.which.short], ["local", "global"]);
});

test("the traced stable line crosses w₂ = 2.5 where bisection finds the border (small rate)", () => {
  const [upper] = stableLine(LANDSCAPE, byShort.saddle.point).sort((a, b) => b[b.length - 1][1] - a[a.length - 1][1]);
  const i = upper.findIndex((p, k) => k > 0 && (upper[k - 1][1] - 2.5) * (p[1] - 2.5) <= 0);
  assert.ok(i > 0);
  const border = ridgeStart(LANDSCAPE, 0.02);
  assert.ok(Math.abs(upper[i][0] - border[0]) < 0.03, `${upper[i][0]} vs ${border[0]}`);
});

test("outcomes: a rate too large for the narrow global well bounces; far out on the plain the walk is slow", () => {
  const [steepest] = eigenvalues2(LANDSCAPE.hessian(byShort.global.point));
  const lr = 2.1 / steepest;
  const bounce = outcome(LANDSCAPE, descend(LANDSCAPE, [1.2, -0.4], lr, 200));
  assert.equal(bounce.kind, "bouncing");
  // the wider local well still holds a walker at that rate
  const [localSteepest] = eigenvalues2(LANDSCAPE.hessian(byShort.local.point));
  assert.ok(lr < 2 / localSteepest);
  assert.equal(outcome(LANDSCAPE, descend(LANDSCAPE, [-1.5, 1.2], lr, 500)).which.short, "local");
  const slow = outcome(LANDSCAPE, descend(LANDSCAPE, [-2.8, -2.8], 0.05, 50));
  assert.equal(slow.kind, "moving");
  assert.ok(slow.gradient < 0.1);
});

test("basin shares of seeded random starts add up and favour the wider basin", () => {
  const starts = randomStarts(200, mulberry32(2024));
  assert.ok(starts.every((p) => Math.max(Math.abs(p[0]), Math.abs(p[1])) <= EXTENT));
  const { counts, shares } = basinShares(LANDSCAPE, starts, 0.1, 1000);
  assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 200);
  assert.ok(Math.abs(Object.values(shares).reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.ok(shares.global > shares.local && shares.local > 0.2, JSON.stringify(shares));
  // the same seed gives the same picture
  assert.deepEqual(basinShares(LANDSCAPE, randomStarts(200, mulberry32(2024)), 0.1, 1000).counts, counts);
});

test("marching squares puts contour points on the level set", () => {
  const bowl = ([x, y]) => x * x + y * y;
  const [segments] = contourSegments(bowl, 2, 40, [1]);
  assert.ok(segments.length > 40);
  for (const seg of segments) for (const [x, y] of seg) assert.ok(Math.abs(Math.hypot(x, y) - 1) < 0.01);
  const [onLandscape] = contourSegments(LANDSCAPE.f, EXTENT, 60, [0.5]);
  for (const seg of onLandscape) for (const p of seg) assert.ok(Math.abs(LANDSCAPE.f(p) - 0.5) < 0.02);
});
