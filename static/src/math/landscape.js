// A non-convex loss over two weights for the landscape widget (lesson 2): a flat, slowly
// rising plain with two wells of different depth pressed into it. Between the wells
// lies a pass (a saddle point); far from them the ground is almost level (a plateau),
// so descent started out there crawls.
//
//   f(w) = base + bowl·|w|² − Σ_k A_k exp(−½ (w − c_k)ᵀ P_k (w − c_k))
//
// Each well is a Gaussian dip of depth A_k with precision matrix P_k (its shape and
// tilt). The weak bowl keeps the loss growing far away, so every descent path with a
// small enough rate ends somewhere instead of wandering off.

/** Precision matrix [a, b, c] (for [[a, b], [b, c]]) of an ellipse with radii r1, r2 turned by `angle` radians. */
export function precision(r1, r2, angle) {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const p = 1 / (r1 * r1);
  const q = 1 / (r2 * r2);
  return [p * cos * cos + q * sin * sin, (p - q) * cos * sin, p * sin * sin + q * cos * cos];
}

export const DEFAULT_SHAPE = {
  base: 2,
  bowl: 0.012,
  wells: [
    { center: [1, -0.6], depth: 2, precision: precision(1.5, 0.75, -0.5) },
    { center: [-1.4, 1.1], depth: 1.4, precision: precision(0.75, 0.75, 0) },
  ],
};

export function makeLandscape({ base, bowl, wells }) {
  // The shared pieces of f, ∇f and the Hessian at one point: each well's height e
  // (A exp(...)) and P d, with d = w − c.
  function parts([x, y]) {
    return wells.map(({ center, depth, precision: [a, b, c] }) => {
      const dx = x - center[0];
      const dy = y - center[1];
      const px = a * dx + b * dy;
      const py = b * dx + c * dy;
      return { e: depth * Math.exp(-0.5 * (dx * px + dy * py)), px, py, a, b, c };
    });
  }
  return {
    f(w) {
      let v = base + bowl * (w[0] * w[0] + w[1] * w[1]);
      for (const { e } of parts(w)) v -= e;
      return v;
    },
    grad(w) {
      let gx = 2 * bowl * w[0];
      let gy = 2 * bowl * w[1];
      for (const { e, px, py } of parts(w)) {
        gx += e * px;
        gy += e * py;
      }
      return [gx, gy];
    },
    // ∇²(−A e^{−½dᵀPd}) = A e^{−½dᵀPd} (P − P d dᵀ P)
    hessian(w) {
      let hxx = 2 * bowl;
      let hxy = 0;
      let hyy = 2 * bowl;
      for (const { e, px, py, a, b, c } of parts(w)) {
        hxx += e * (a - px * px);
        hxy += e * (b - px * py);
        hyy += e * (c - py * py);
      }
      return [
        [hxx, hxy],
        [hxy, hyy],
      ];
    },
  };
}

export const LANDSCAPE = makeLandscape(DEFAULT_SHAPE);
/** The map the widget draws: both weights from −EXTENT to EXTENT. */
export const EXTENT = 3;

/** Eigenvalues (larger first) of a symmetric 2x2 matrix. */
export function eigenvalues2([[a, b], [, c]]) {
  const mean = (a + c) / 2;
  const radius = Math.hypot((a - c) / 2, b);
  return [mean + radius, mean - radius];
}

/** What a critical point is, from the signs of its Hessian's eigenvalues. */
export function classifyCritical(hessian) {
  const [big, small] = eigenvalues2(hessian);
  if (small > 0) return "minimum";
  if (big < 0) return "maximum";
  if (big > 0 && small < 0) return "saddle";
  return "degenerate";
}

/** Newton's method on ∇f = 0 from `seed`; null if it does not settle on a critical point. */
export function newtonCritical(land, seed, iterations = 100) {
  let p = seed.slice();
  for (let i = 0; i < iterations; i++) {
    const [gx, gy] = land.grad(p);
    const [[a, b], [, c]] = land.hessian(p);
    const det = a * c - b * b;
    if (!Number.isFinite(det) || Math.abs(det) < 1e-14) return null;
    const dx = (c * gx - b * gy) / det;
    const dy = (a * gy - b * gx) / det;
    p = [p[0] - dx, p[1] - dy];
    if (!p.every(Number.isFinite)) return null;
    if (Math.hypot(dx, dy) < 1e-15) break;
  }
  return Math.hypot(...land.grad(p)) < 1e-10 ? p : null;
}

// Rough positions, refined by Newton's method below; the tests check that these are all
// the critical points on the map.
const SEEDS = [
  { name: "global minimum", short: "global", seed: [0.95, -0.57] },
  { name: "local minimum", short: "local", seed: [-1.2, 0.9] },
  { name: "saddle", short: "saddle", seed: [-0.58, 0.38] },
];

export function criticalPoints(land = LANDSCAPE, seeds = SEEDS) {
  return seeds.map(({ name, short, seed }) => {
    const point = newtonCritical(land, seed);
    if (!point) throw new Error(`no critical point near ${seed}`);
    return { name, short, point, loss: land.f(point), kind: classifyCritical(land.hessian(point)) };
  });
}

export const CRITICAL_POINTS = criticalPoints();

/** Within this distance of a critical point, a walker counts as being at it. */
export const NEAR = 0.1;

/**
 * `steps` steps of plain gradient descent w ← w − lr ∇f(w) from `start`. Stops early
 * when a coordinate stops being finite, or once a step moves less than `tol` where the
 * Hessian is positive definite (the walker has come to rest in a minimum). Tiny steps
 * near a saddle do not stop it: there the walker drifts off again, however slowly.
 * Returns the whole path, start included.
 */
export function descend(land, start, lr, steps, { tol = 1e-10 } = {}) {
  let p = start.slice();
  const path = [p];
  for (let k = 0; k < steps; k++) {
    const [gx, gy] = land.grad(p);
    const next = [p[0] - lr * gx, p[1] - lr * gy];
    path.push(next);
    if (!next.every(Number.isFinite)) break;
    const moved = Math.hypot(next[0] - p[0], next[1] - p[1]);
    p = next;
    if (moved < tol && classifyCritical(land.hessian(p)) === "minimum") break;
  }
  return path;
}

export function nearestCritical(p, points = CRITICAL_POINTS) {
  let best = null;
  let bestDistance = Infinity;
  for (const c of points) {
    const d = Math.hypot(p[0] - c.point[0], p[1] - c.point[1]);
    if (d < bestDistance) { best = c; bestDistance = d; }
  }
  return { point: best, distance: bestDistance };
}

/**
 * Where a descent path ended up:
 *   kind "minimum" (with `which`, the critical point), "saddle", "diverged",
 *   "bouncing" (the loss still went up in the last steps: the rate is too large to
 *   settle), or "moving" (still on its way, e.g. crawling over the plateau).
 * Also how many steps the path spent near the saddle.
 */
export function outcome(land, path, points = CRITICAL_POINTS) {
  const end = path[path.length - 1];
  const steps = path.length - 1;
  const saddle = points.find((c) => c.kind === "saddle");
  const nearSaddle = saddle ? path.filter((p) => Math.hypot(p[0] - saddle.point[0], p[1] - saddle.point[1]) < NEAR).length : 0;
  if (!end.every(Number.isFinite) || Math.max(Math.abs(end[0]), Math.abs(end[1])) > 20) {
    return { kind: "diverged", end, steps, loss: land.f(end), nearSaddle };
  }
  const loss = land.f(end);
  const { point, distance } = nearestCritical(end, points);
  const tail = path.slice(-20).map((p) => land.f(p));
  const rising = tail.some((v, i) => i > 0 && v > tail[i - 1] + 1e-12);
  if (distance < NEAR && point.kind === "minimum" && !rising) return { kind: "minimum", which: point, end, steps, loss, nearSaddle };
  if (distance < NEAR && point.kind === "saddle") return { kind: "saddle", which: point, end, steps, loss, nearSaddle };
  return { kind: rising ? "bouncing" : "moving", end, steps, loss, nearSaddle, gradient: Math.hypot(...land.grad(end)) };
}

/** `n` starts spread uniformly over the map by a seeded generator. */
export function randomStarts(n, uniform, extent = EXTENT) {
  return Array.from({ length: n }, () => [(2 * uniform() - 1) * extent, (2 * uniform() - 1) * extent]);
}

/** The share of starts whose descent ends in each outcome; keys "global", "local", "saddle", "bouncing", "moving", "diverged". */
export function basinShares(land, starts, lr, steps, points = CRITICAL_POINTS) {
  const results = starts.map((start) => {
    const o = outcome(land, descend(land, start, lr, steps), points);
    return { start, key: o.kind === "minimum" ? o.which.short : o.kind };
  });
  const counts = {};
  for (const r of results) counts[r.key] = (counts[r.key] || 0) + 1;
  const shares = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / starts.length]));
  return { results, counts, shares };
}

/**
 * A start on the boundary between the two basins (the saddle's stable line), found by
 * bisection between two starts on the horizontal line w₂ = y that fall into different
 * minima at this rate. A walker from there heads for the saddle and balances on it
 * until rounding errors, amplified at every step, tip it to one side.
 */
export function ridgeStart(land, lr, { y = 2.5, left = -EXTENT, right = EXTENT, steps = 4000, points = CRITICAL_POINTS } = {}) {
  const side = (x) => {
    const o = outcome(land, descend(land, [x, y], lr, steps, { tol: 0 }), points);
    return o.kind === "minimum" ? o.which.short : o.kind;
  };
  let a = left;
  let b = right;
  const sa = side(a);
  if (sa === side(b) || (sa !== "global" && sa !== "local")) return null;
  for (let i = 0; i < 200 && b - a > 1e-15 * Math.max(1, Math.abs(a)); i++) {
    const mid = (a + b) / 2;
    if (mid === a || mid === b) break;
    if (side(mid) === sa) a = mid;
    else b = mid;
  }
  return [(a + b) / 2, y];
}

/**
 * The border between the two basins for small steps: the saddle's stable line, traced
 * from the saddle both ways by climbing (w ← w + h ∇f/|∇f|), starting along the
 * Hessian's uphill eigenvector. Climbing is stable along this line: walkers beside it
 * are drawn towards it, just as descending walkers are pushed away from it.
 * Returns two polylines that start at the saddle and end at the edge of the map.
 */
export function stableLine(land, saddle, { h = 0.02, extent = EXTENT, maxSteps = 2000 } = {}) {
  const [[a, b], [, c]] = land.hessian(saddle);
  const [up] = eigenvalues2([[a, b], [b, c]]);
  // eigenvector of the positive eigenvalue
  let v = Math.abs(b) > 1e-12 ? [b, up - a] : a >= c ? [1, 0] : [0, 1];
  const len = Math.hypot(...v);
  v = [v[0] / len, v[1] / len];
  return [1, -1].map((sign) => {
    let p = [saddle[0] + sign * h * v[0], saddle[1] + sign * h * v[1]];
    const line = [saddle.slice(), p];
    for (let k = 0; k < maxSteps && Math.max(Math.abs(p[0]), Math.abs(p[1])) <= extent; k++) {
      const g = land.grad(p);
      const n = Math.hypot(...g);
      if (!(n > 0)) break;
      p = [p[0] + (h * g[0]) / n, p[1] + (h * g[1]) / n];
      line.push(p);
    }
    return line;
  });
}

/**
 * Contour lines of f over the square [−extent, extent]² by marching squares on an
 * n×n grid of cells. Returns, for each level, a list of segments [[x1, y1], [x2, y2]].
 */
export function contourSegments(f, extent, n, levels) {
  const h = (2 * extent) / n;
  const coord = (i) => -extent + i * h;
  const values = [];
  for (let j = 0; j <= n; j++) {
    const row = [];
    for (let i = 0; i <= n; i++) row.push(f([coord(i), coord(j)]));
    values.push(row);
  }
  return levels.map((level) => {
    const segments = [];
    const cross = (x0, y0, v0, x1, y1, v1) => {
      const t = (level - v0) / (v1 - v0);
      return [x0 + t * (x1 - x0), y0 + t * (y1 - y0)];
    };
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const x0 = coord(i), x1 = coord(i + 1), y0 = coord(j), y1 = coord(j + 1);
        const v00 = values[j][i], v10 = values[j][i + 1], v01 = values[j + 1][i], v11 = values[j + 1][i + 1];
        // Crossings on the four edges, in order bottom, right, top, left.
        const edges = [];
        if ((v00 < level) !== (v10 < level)) edges.push(cross(x0, y0, v00, x1, y0, v10));
        if ((v10 < level) !== (v11 < level)) edges.push(cross(x1, y0, v10, x1, y1, v11));
        if ((v01 < level) !== (v11 < level)) edges.push(cross(x0, y1, v01, x1, y1, v11));
        if ((v00 < level) !== (v01 < level)) edges.push(cross(x0, y0, v00, x0, y1, v01));
        if (edges.length === 2) segments.push([edges[0], edges[1]]);
        else if (edges.length === 4) {
          // A saddle-shaped cell: decide the pairing by the value at its centre.
          const centre = (v00 + v10 + v01 + v11) / 4;
          if ((centre < level) === (v00 < level)) segments.push([edges[0], edges[1]], [edges[2], edges[3]]);
          else segments.push([edges[0], edges[3]], [edges[1], edges[2]]);
        }
      }
    }
    return segments;
  });
}
