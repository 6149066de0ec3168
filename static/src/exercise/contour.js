// Contour lines by marching squares: sample f on a grid, then in every cell join the
// points where the level crosses the cell's edges (linear interpolation along the edge).

export function sampleGrid(f, [x0, x1], [y0, y1], nx = 60, ny = 60) {
  const xs = Array.from({ length: nx }, (_, i) => x0 + ((x1 - x0) * i) / (nx - 1));
  const ys = Array.from({ length: ny }, (_, j) => y0 + ((y1 - y0) * j) / (ny - 1));
  const values = ys.map((y) => xs.map((x) => f([x, y])));
  return { xs, ys, values };
}

/**
 * Levels for a loss surface: spaced geometrically between the smallest and largest
 * sampled values above the minimum, so the rings crowd near the bottom of the valley
 * where the paths end rather than on the steep walls.
 */
export function contourLevels(values, count = 10) {
  const flat = values.flat().filter(Number.isFinite);
  if (flat.length === 0) return [];
  const lo = Math.min(...flat);
  const hi = Math.max(...flat);
  if (!(hi > lo)) return [];
  const span = hi - lo;
  const first = span * 1e-3;
  const levels = [];
  for (let k = 0; k < count; k += 1) {
    const t = count === 1 ? 0.5 : k / (count - 1);
    levels.push(lo + first * (span / first) ** t * 0.9);
  }
  return levels;
}

// Edges of a cell: 0 bottom (a-b), 1 right (b-c), 2 top (d-c), 3 left (a-d), with
// corners a = (i, j), b = (i+1, j), c = (i+1, j+1), d = (i, j+1).
const SEGMENTS = {
  1: [[3, 0]], 2: [[0, 1]], 3: [[3, 1]], 4: [[1, 2]], 5: [[3, 2], [0, 1]], 6: [[0, 2]], 7: [[3, 2]],
  8: [[2, 3]], 9: [[2, 0]], 10: [[0, 3], [1, 2]], 11: [[2, 1]], 12: [[1, 3]], 13: [[1, 0]], 14: [[0, 3]],
};

/** Line segments [[x1, y1], [x2, y2]] of one level over a sampled grid. */
export function contourSegments({ xs, ys, values }, level) {
  const out = [];
  const lerp = (p, q, vp, vq) => p + ((level - vp) / (vq - vp)) * (q - p);
  for (let j = 0; j < ys.length - 1; j += 1) {
    for (let i = 0; i < xs.length - 1; i += 1) {
      const a = values[j][i], b = values[j][i + 1], c = values[j + 1][i + 1], d = values[j + 1][i];
      if (![a, b, c, d].every(Number.isFinite)) continue;
      const code = (a > level ? 1 : 0) | (b > level ? 2 : 0) | (c > level ? 4 : 0) | (d > level ? 8 : 0);
      const pairs = SEGMENTS[code];
      if (!pairs) continue;
      const x0 = xs[i], x1 = xs[i + 1], y0 = ys[j], y1 = ys[j + 1];
      const edge = (e) => {
        if (e === 0) return [lerp(x0, x1, a, b), y0];
        if (e === 1) return [x1, lerp(y0, y1, b, c)];
        if (e === 2) return [lerp(x0, x1, d, c), y1];
        return [x0, lerp(y0, y1, a, d)];
      };
      for (const [e1, e2] of pairs) out.push([edge(e1), edge(e2)]);
    }
  }
  return out;
}

/** Every level's segments: [{level, segments}]. */
export function contours(f, xRange, yRange, { nx = 60, ny = 60, count = 10 } = {}) {
  const grid = sampleGrid(f, xRange, yRange, nx, ny);
  return contourLevels(grid.values, count).map((level) => ({ level, segments: contourSegments(grid, level) }));
}
