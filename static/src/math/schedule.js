// Learning-rate schedule and early stopping of lesson 10 (the warmup-cosine and
// early-stopping exercises use the same definitions).

/** Linear warmup to baseLr, then cosine decay to minLr at totalSteps. */
export function warmupCosineLr(step, totalSteps, warmupSteps, baseLr, minLr = 0) {
  if (step < warmupSteps) return (baseLr * (step + 1)) / warmupSteps;
  const p = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
  return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * p));
}

/**
 * Walk the validation losses; an epoch improves when loss < best - minDelta. After
 * `patience` epochs in a row without improvement, stop. Returns {stopEpoch, bestEpoch,
 * stopped}; stopEpoch is the last index when it never triggers.
 */
export function earlyStopping(valLosses, patience, minDelta = 0) {
  let best = Infinity;
  let bestEpoch = 0;
  let waited = 0;
  for (let epoch = 0; epoch < valLosses.length; epoch++) {
    if (valLosses[epoch] < best - minDelta) {
      best = valLosses[epoch];
      bestEpoch = epoch;
      waited = 0;
    } else {
      waited += 1;
      if (waited >= patience) return { stopEpoch: epoch, bestEpoch, stopped: true };
    }
  }
  return { stopEpoch: valLosses.length - 1, bestEpoch, stopped: false };
}

/** Exponential running average, as in lesson 10's smooth(). */
export function smooth(values, weight = 0.9) {
  const out = [];
  let avg = null;
  for (const v of values) {
    avg = avg === null ? v : weight * avg + (1 - weight) * v;
    out.push(avg);
  }
  return out;
}
