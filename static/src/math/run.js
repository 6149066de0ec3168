// A simulated training run for the loss-curve widget (lesson 10). The schedule and the
// early-stopping rule are the exact ones of the lesson; the losses come from a small,
// openly toy model of a run: progress is proportional to the learning rate spent so far,
// the training loss decays towards a floor, and the validation loss follows it until the
// model starts fitting noise, then rises. Seeded noise makes the curve look measured.
import { warmupCosineLr, earlyStopping } from "./schedule.js";
import { mulberry32, normalSampler } from "./random.js";

export function simulateRun({
  epochs = 100,
  warmup = 10,
  baseLr = 0.1,
  patience = 5,
  seed = 7,
  start = 2.5,
  floor = 0.05,
  rate = 1.2, // loss decay per unit of accumulated learning rate
  overfitAfter = 2.5, // accumulated learning rate after which the validation loss turns
  overfit = 0.05,
  noise = 0.03,
} = {}) {
  const normal = normalSampler(mulberry32(seed));
  const lr = [];
  const train = [];
  const val = [];
  let spent = 0;
  for (let e = 0; e < epochs; e++) {
    const rate_e = warmupCosineLr(e, epochs, warmup, baseLr);
    lr.push(rate_e);
    spent += rate_e;
    const clean = floor + (start - floor) * Math.exp(-rate * spent);
    const jitter = 1 + noise * normal();
    train.push(clean * jitter);
    const gap = overfit * Math.max(0, spent - overfitAfter) ** 1.5;
    val.push((clean + 0.08 + gap) * (1 + noise * normal()));
  }
  const stop = earlyStopping(val, patience);
  return { lr, train, val, ...stop };
}
