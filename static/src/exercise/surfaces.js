// The named 2-D test functions a trajectory figure is drawn over, mirroring
// sandbox/testfns.py (value only: the plot needs contours, not gradients). A figure's
// surface params arrive as grading.compare.summarize made them, so arrays are
// {array, shape} objects.

function plain(param) {
  if (param && typeof param === "object" && !Array.isArray(param) && "array" in param) return param.array;
  return param;
}

function num(param, fallback) {
  const v = plain(param);
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

const BUILDERS = {
  // x_0^2 + scale * sum(x_1..^2)
  narrow_valley: (p) => {
    const scale = num(p.scale, 100);
    return ([x, y]) => x * x + scale * y * y;
  },
  // sum((x - center)^2)
  sum_of_squares: (p) => {
    const c = plain(p.center);
    const [cx, cy] = Array.isArray(c) && c.length === 2 ? c : [0, 0];
    return ([x, y]) => (x - cx) ** 2 + (y - cy) ** 2;
  },
  // b (y - x^2)^2 + (a - x)^2 in two dimensions
  rosenbrock: (p) => {
    const a = num(p.a, 1);
    const b = num(p.b, 100);
    return ([x, y]) => b * (y - x * x) ** 2 + (a - x) ** 2;
  },
  // 0.5 x^T A x - b^T x
  quadratic: (p) => {
    const A = plain(p.A);
    const bv = plain(p.b);
    if (!Array.isArray(A) || A.length !== 2 || !Array.isArray(bv) || bv.length !== 2) return null;
    return ([x, y]) =>
      0.5 * (x * (A[0][0] * x + A[0][1] * y) + y * (A[1][0] * x + A[1][1] * y)) - (bv[0] * x + bv[1] * y);
  },
  // sum(tanh(x))
  tanh_sum: () => ([x, y]) => Math.tanh(x) + Math.tanh(y),
};

/** f([x, y]) for a figure's surface, or null when it cannot be drawn in 2-D here. */
export function surfaceFunction(surface) {
  if (!surface || typeof surface.name !== "string") return null;
  const build = BUILDERS[surface.name];
  if (!build) return null;
  return build(surface.params || {}) || null;
}

export const SURFACE_NAMES = Object.keys(BUILDERS);

export function surfaceLabel(surface) {
  if (!surface) return "";
  const words = { narrow_valley: "narrow valley", sum_of_squares: "bowl", rosenbrock: "Rosenbrock valley", quadratic: "quadratic bowl", tanh_sum: "tanh slope" };
  return words[surface.name] || surface.name;
}
