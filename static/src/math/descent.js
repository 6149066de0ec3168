// Plain gradient descent, as in lessons 2-4 and the gradient-descent exercise:
// x_{k+1} = x_k - lr * grad(x_k), keeping the whole trajectory.

/**
 * Trajectory of `steps` descent steps from x0 (a number or an array of numbers).
 * Returns steps + 1 points, starting with x0. Stops early, keeping what it has, when a
 * coordinate stops being finite (a diverging run ends in Infinity, then NaN).
 */
export function gradientDescentPath(grad, x0, lr, steps) {
  const scalar = typeof x0 === "number";
  let x = scalar ? [x0] : x0.slice();
  const path = [scalar ? x[0] : x.slice()];
  for (let k = 0; k < steps; k++) {
    const g = scalar ? [grad(x[0])] : grad(x);
    x = x.map((xi, i) => xi - lr * g[i]);
    path.push(scalar ? x[0] : x.slice());
    if (!x.every(Number.isFinite)) break;
  }
  return path;
}

/** A quadratic bowl f(p) = 0.5 p^T H p with a symmetric 2x2 Hessian H = [[a, b], [b, c]]. */
export function quadratic2d(a, b, c) {
  return {
    f: ([x, y]) => 0.5 * (a * x * x + 2 * b * x * y + c * y * y),
    grad: ([x, y]) => [a * x + b * y, b * x + c * y],
    hessian: [
      [a, b],
      [b, c],
    ],
  };
}

/**
 * Eigen-decomposition of a symmetric 2x2 matrix [[a, b], [b, c]]:
 * eigenvalues (larger first) and the angle (radians) of the first eigenvector.
 */
export function symmetricEigen2(a, b, c) {
  const mean = (a + c) / 2;
  const radius = Math.hypot((a - c) / 2, b);
  const angle = 0.5 * Math.atan2(2 * b, a - c);
  return { values: [mean + radius, mean - radius], angle };
}

/** The bowl f(x) = (a / 2) x^2 of lesson 4, its slope, and whether rate lr converges. */
export function bowl1d(a) {
  return {
    f: (x) => 0.5 * a * x * x,
    grad: (x) => a * x,
    // Each step multiplies x by r = 1 - lr * a; the walk converges iff |r| < 1,
    // that is 0 < lr < 2 / a, and lr = 1 / a lands on the bottom in one step.
    factor: (lr) => 1 - lr * a,
    converges: (lr) => lr > 0 && lr < 2 / a,
  };
}

/** Words for how a 1-D descent with contraction factor r behaves. */
export function describeFactor(r) {
  if (r === 0) return "lands on the bottom in one step";
  if (r > 0 && r < 1) return "smooth approach";
  if (r > -1 && r < 0) return "zigzag, converging";
  if (r === -1) return "bounces forever";
  if (r >= 1) return "never moves closer";
  return "diverges";
}
