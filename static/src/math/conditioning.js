// Lesson 7 (curvature and conditioning): a 2-D quadratic valley f(p) = ½ pᵀHp whose
// Hessian has eigenvalues 1 (along the floor) and kappa (across it), turned by an angle,
// and the three racers of the conditioning-race widget. Pure functions, no DOM.
//
// The rates come from the curvature, as in the lesson:
//   plain descent  alpha = 2 / (lmax + lmin); every direction shrinks by (k - 1)/(k + 1)
//   heavy ball     alpha = 4 / (sqrt(lmax) + sqrt(lmin))^2, beta = ((sqrt k - 1)/(sqrt k + 1))^2
//                  (Polyak's tuning; the rate per step tends to (sqrt k - 1)/(sqrt k + 1))
//   Adam           a fixed rate: its steps are about lr per coordinate whatever the
//                  curvature, so lr is set by the distances on the map, not by H.
import { momentumStep, adamStep } from "./optimizers.js";
import { symmetricEigen2 } from "./descent.js";

/** Where every race starts, in the valley's own frame: 2.5 back along the floor, 0.4 up a wall. */
export const START_IN_VALLEY = [-2.5, 0.4];
/** A racer finishes once its loss drops below this and stays there. */
export const LOSS_THRESHOLD = 1e-3;
export const ADAM_LR = 0.05;

const radians = (deg) => (deg * Math.PI) / 180;

/**
 * The Hessian [[a, b], [b, c]] of the valley: eigenvalue 1 along the floor direction
 * (cos t, sin t) and kappa along the wall direction (-sin t, cos t), t = angleDeg.
 * At 0 degrees it is diag(1, kappa); at 45 degrees its diagonal entries are equal.
 */
export function hessian(kappa, angleDeg) {
  const t = radians(angleDeg);
  const c = Math.cos(t);
  const s = Math.sin(t);
  const offDiagonal = (1 - kappa) * c * s;
  return [
    [c * c + kappa * s * s, offDiagonal],
    [offDiagonal, s * s + kappa * c * c],
  ];
}

/** Eigenvalues of a symmetric 2x2 matrix, largest first. */
export function eigenvalues(H) {
  return symmetricEigen2(H[0][0], H[0][1], H[1][1]).values;
}

export function loss(H, [x, y]) {
  return 0.5 * (H[0][0] * x * x + 2 * H[0][1] * x * y + H[1][1] * y * y);
}

export function gradient(H, [x, y]) {
  return [H[0][0] * x + H[0][1] * y, H[1][0] * x + H[1][1] * y];
}

/** A point given in the valley's frame (along the floor, up the wall), in map coordinates. */
export function fromValleyFrame([along, across], angleDeg) {
  const t = radians(angleDeg);
  const c = Math.cos(t);
  const s = Math.sin(t);
  return [along * c - across * s, along * s + across * c];
}

/** The valley as a problem: its Hessian, curvatures, loss, gradient and start. */
export function valley(kappa, angleDeg) {
  if (!(kappa >= 1)) throw new RangeError("kappa must be at least 1");
  const H = hessian(kappa, angleDeg);
  return {
    kappa,
    angleDeg,
    H,
    lambdaMax: kappa,
    lambdaMin: 1,
    f: (p) => loss(H, p),
    grad: (p) => gradient(H, p),
    start: fromValleyFrame(START_IN_VALLEY, angleDeg),
  };
}

/** Plain descent diverges along an eigen-direction with eigenvalue lambda iff lr > 2 / lambda. */
export function largestStableRate(lambdaMax) {
  return 2 / lambdaMax;
}

/** The fixed rate that shrinks the slowest direction fastest: 2 / (lmax + lmin). */
export function bestGradientDescentRate(lambdaMax, lambdaMin) {
  return 2 / (lambdaMax + lambdaMin);
}

/** Per-step shrink factor of plain descent at its best fixed rate: (kappa - 1) / (kappa + 1). */
export function gradientDescentFactor(kappa) {
  return (kappa - 1) / (kappa + 1);
}

/** Polyak's heavy-ball settings for eigenvalues in [lambdaMin, lambdaMax]. */
export function heavyBallSettings(lambdaMax, lambdaMin) {
  const root = Math.sqrt(lambdaMax / lambdaMin);
  return {
    lr: 4 / (Math.sqrt(lambdaMax) + Math.sqrt(lambdaMin)) ** 2,
    beta: ((root - 1) / (root + 1)) ** 2,
  };
}

/** The rate per step that tuned heavy ball tends to: (sqrt(kappa) - 1) / (sqrt(kappa) + 1). */
export function heavyBallFactor(kappa) {
  const root = Math.sqrt(kappa);
  return (root - 1) / (root + 1);
}

/**
 * Heavy ball on a 1-D quadratic with curvature lambda: x' = (1 + beta - lr*lambda) x - beta x_prev.
 * For 0 <= beta < 1 it converges iff 0 < lr*lambda < 2 (1 + beta).
 */
export function heavyBallStable(lr, beta, lambda) {
  const h = lr * lambda;
  return beta >= 0 && beta < 1 && h > 0 && h < 2 * (1 + beta);
}

/** Steps for a factor per step to shrink something `by` times (for example 1000). */
export function stepsToShrink(factor, by) {
  if (factor <= 0) return 1;
  if (factor >= 1) return Infinity;
  return Math.ceil(Math.log(by) / -Math.log(factor));
}

/**
 * The first index from which every value to the end of `values` is below `limit`, or null
 * if the last value is not below it. A run that spirals can dip below the line and come
 * back out; this counts only the dip it stays under (within the values given).
 */
export function staysBelowFrom(values, limit) {
  let k = values.length;
  while (k > 0 && values[k - 1] < limit) k--;
  return k === values.length ? null : k;
}

/**
 * Runs `step(p, g, k)` (k counts from 1) for up to `steps` steps from `start`.
 * Returns the path (steps + 1 points at most), the losses along it and `reached`, the step
 * from which the loss stays below `threshold` for the rest of the run (null if it does not
 * end below it). With stopBelow, path and losses are cut at `reached`. It always stops once
 * a coordinate stops being finite.
 */
function run(problem, start, step, { steps, threshold = LOSS_THRESHOLD, stopBelow = false }) {
  let p = start.slice();
  let path = [p];
  let losses = [problem.f(p)];
  for (let k = 1; k <= steps; k++) {
    p = step(p, problem.grad(p), k);
    path.push(p);
    losses.push(problem.f(p));
    if (!p.every(Number.isFinite)) break;
  }
  const reached = staysBelowFrom(losses, threshold);
  if (stopBelow && reached !== null) {
    path = path.slice(0, reached + 1);
    losses = losses.slice(0, reached + 1);
  }
  return { path, losses, reached };
}

export function runGradientDescent(problem, start, lr, options) {
  return run(problem, start, (p, g) => p.map((pi, i) => pi - lr * g[i]), options);
}

/** Heavy ball in lesson 6's convention: v = beta v + g, p = p - lr v, v starting at 0. */
export function runHeavyBall(problem, start, lr, beta, options) {
  let v = start.map(() => 0);
  return run(problem, start, (p, g) => {
    const out = momentumStep(p, g, v, lr, beta);
    v = out.v;
    return out.w;
  }, options);
}

export function runAdam(problem, start, lr, options, { beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = {}) {
  let m = start.map(() => 0);
  let v = start.map(() => 0);
  return run(problem, start, (p, g, t) => {
    const out = adamStep(p, g, m, v, t, lr, beta1, beta2, eps);
    m = out.m;
    v = out.v;
    return out.w;
  }, options);
}

/** The three racers' settings, from the valley's curvatures. */
export function raceSettings(problem, adamLr = ADAM_LR) {
  return {
    gd: { lr: bestGradientDescentRate(problem.lambdaMax, problem.lambdaMin) },
    momentum: heavyBallSettings(problem.lambdaMax, problem.lambdaMin),
    adam: { lr: adamLr },
  };
}

/**
 * The widget's race: all three from the valley's start, each run for maxSteps and cut at
 * the step from which its loss stays below the threshold (a dip that comes back out does
 * not count).
 */
export function race(kappa, angleDeg, { maxSteps = 400, threshold = LOSS_THRESHOLD, adamLr = ADAM_LR } = {}) {
  const problem = valley(kappa, angleDeg);
  const settings = raceSettings(problem, adamLr);
  const options = { steps: maxSteps, threshold, stopBelow: true };
  return {
    problem,
    settings,
    runs: {
      gd: runGradientDescent(problem, problem.start, settings.gd.lr, options),
      momentum: runHeavyBall(problem, problem.start, settings.momentum.lr, settings.momentum.beta, options),
      adam: runAdam(problem, problem.start, settings.adam.lr, options),
    },
  };
}
