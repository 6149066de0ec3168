// Loss functions for the loss-sliders widget. Same definitions as lesson 1 and the
// mse-loss / softmax-cross-entropy exercises.

/** Mean over all elements of (yPred - yTrue)^2. */
export function mse(yPred, yTrue) {
  if (yPred.length !== yTrue.length || yPred.length === 0) {
    throw new RangeError("mse needs two non-empty arrays of the same length");
  }
  let sum = 0;
  for (let i = 0; i < yPred.length; i++) sum += (yPred[i] - yTrue[i]) ** 2;
  return sum / yPred.length;
}

/** Gradient of mse with respect to yPred: 2 (yPred - yTrue) / n. */
export function mseGrad(yPred, yTrue) {
  const n = yPred.length;
  return yPred.map((p, i) => (2 * (p - yTrue[i])) / n);
}

// Probabilities are clipped away from 0 and 1 so a slider at an end shows a large,
// finite loss instead of Infinity.
export const PROB_EPS = 1e-12;
const clipProb = (p) => Math.min(1 - PROB_EPS, Math.max(PROB_EPS, p));

/** Cross-entropy of a probability vector against the true class: -ln p[trueClass]. */
export function crossEntropy(probs, trueClass) {
  return -Math.log(clipProb(probs[trueClass]));
}

/** Binary cross-entropy of a predicted probability p against a target y in [0, 1]. */
export function binaryCrossEntropy(p, y) {
  const q = clipProb(p);
  return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
}

/** Scale non-negative scores so they sum to 1 (all equal when every score is 0). */
export function normalize(scores) {
  const total = scores.reduce((a, b) => a + b, 0);
  if (total <= 0) return scores.map(() => 1 / scores.length);
  return scores.map((s) => s / total);
}

/** Softmax that stays finite for huge logits (subtract the max first). */
export function softmax(logits) {
  const max = Math.max(...logits);
  const exps = logits.map((z) => Math.exp(z - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

export function oneHot(index, size) {
  return Array.from({ length: size }, (_, i) => (i === index ? 1 : 0));
}

export const squaredError = (e) => e * e;
export const absoluteError = (e) => Math.abs(e);
