// One step of each optimizer of lesson 6, on plain arrays. Formulas as in the
// momentum, rmsprop and adam exercises (PyTorch conventions).

/** Plain SGD: w - lr * g. */
export function sgdStep(w, g, lr) {
  return w.map((wi, i) => wi - lr * g[i]);
}

/** Heavy-ball momentum: v = beta v + g; w = w - lr v. */
export function momentumStep(w, g, v, lr, beta = 0.9) {
  const velocity = v.map((vi, i) => beta * vi + g[i]);
  return { w: w.map((wi, i) => wi - lr * velocity[i]), v: velocity };
}

/**
 * Adam (Kingma and Ba, 2015). t counts from 1. The bias correction divides the moving
 * averages by 1 - beta^t, undoing their pull towards the zero they start from.
 */
export function adamStep(w, g, m, v, t, lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8) {
  if (!(t >= 1)) throw new RangeError("Adam's step counter t starts at 1");
  const m1 = m.map((mi, i) => beta1 * mi + (1 - beta1) * g[i]);
  const v1 = v.map((vi, i) => beta2 * vi + (1 - beta2) * g[i] * g[i]);
  const c1 = 1 - beta1 ** t;
  const c2 = 1 - beta2 ** t;
  const w1 = w.map((wi, i) => wi - (lr * (m1[i] / c1)) / (Math.sqrt(v1[i] / c2) + eps));
  return { w: w1, m: m1, v: v1 };
}

/**
 * A runner that keeps an optimizer's state between steps, so the race widget can step
 * all three together: `const r = makeOptimizer("adam", {lr}); p = r.step(p, grad(p))`.
 */
export function makeOptimizer(kind, opts = {}) {
  let state = null;
  let t = 0;
  const zeros = (p) => p.map(() => 0);
  switch (kind) {
    case "sgd":
      return { step: (p, g) => sgdStep(p, g, opts.lr) };
    case "momentum":
      return {
        step(p, g) {
          state = state || { v: zeros(p) };
          const out = momentumStep(p, g, state.v, opts.lr, opts.beta ?? 0.9);
          state.v = out.v;
          return out.w;
        },
      };
    case "adam":
      return {
        step(p, g) {
          state = state || { m: zeros(p), v: zeros(p) };
          t += 1;
          const out = adamStep(p, g, state.m, state.v, t, opts.lr, opts.beta1 ?? 0.9, opts.beta2 ?? 0.999);
          state.m = out.m;
          state.v = out.v;
          return out.w;
        },
      };
    default:
      throw new RangeError(`unknown optimizer ${kind}`);
  }
}

/** The narrow valley of lesson 6: f(x, y) = 0.5 (x^2 + 50 y^2). */
export const narrowValley = {
  f: ([x, y]) => 0.5 * (x * x + 50 * y * y),
  grad: ([x, y]) => [x, 50 * y],
  start: [-8, 1],
};

/** Steps until the loss drops below target (null if it never does within maxSteps). */
export function stepsToReach(optimizer, problem, target = 1e-3, maxSteps = 300) {
  let p = problem.start.slice();
  for (let k = 0; k < maxSteps; k++) {
    if (problem.f(p) < target) return k;
    p = optimizer.step(p, problem.grad(p));
  }
  return null;
}
