// Initialization scales and the spread of activations layer by layer (lesson 12). A real
// forward pass through square layers on a seeded random batch, so the curves the widget
// draws are measured, not drawn from the variance formula they illustrate.
import { mulberry32, normalSampler } from "./random.js";

// Weight standard deviations. For square layers LeCun (1 / fan_in) and Glorot
// (2 / (fan_in + fan_out)) coincide; He (2 / fan_in) doubles the variance to make up for
// the half that a ReLU sets to zero. The two fixed scales are the usual bad guesses.
export const INITS = {
  small: { label: "0.01", std: () => 0.01 },
  glorot: { label: "LeCun / Glorot", std: (fanIn, fanOut) => Math.sqrt(2 / (fanIn + fanOut)) },
  he: { label: "He", std: (fanIn) => Math.sqrt(2 / fanIn) },
  large: { label: "1.0", std: () => 1 },
};

export const ACTIVATIONS = {
  tanh: Math.tanh,
  relu: (z) => (z > 0 ? z : 0),
};

export function weightStd(init, fanIn, fanOut = fanIn) {
  const rule = INITS[init];
  if (!rule) throw new RangeError(`unknown initialization ${init}`);
  return rule.std(fanIn, fanOut);
}

/** The bound a of the uniform distribution on [-a, a] with this variance (a^2 / 3). */
export function uniformBound(variance) {
  return Math.sqrt(3 * variance);
}

/** The factor each layer multiplies the variance by, before the activation: n_in Var(w). */
export function varianceGain(init, width) {
  return width * weightStd(init, width, width) ** 2;
}

function std(values) {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return Math.sqrt(sq / values.length);
}

/**
 * The random draws of an experiment: a batch of standard-normal inputs (batch, width)
 * and `depth` standard-normal weight matrices (width, width), from one seeded stream,
 * inputs first, then the layers in order. Every initialization scales the same draws,
 * so curves differ only by the scale, and a shallower network is the first layers of a
 * deeper one.
 */
export function drawNetwork({ depth, width, batch = 32, seed = 7 }) {
  const normal = normalSampler(mulberry32(seed));
  const inputs = Float64Array.from({ length: batch * width }, () => normal());
  const layers = [];
  for (let l = 0; l < depth; l++) layers.push(Float64Array.from({ length: width * width }, () => normal()));
  return { inputs, layers, width, batch };
}

/**
 * For each layer (index 0 = first layer), when the drawn network's weights are scaled to
 * standard deviation `scale` (no biases): `stds`, the standard deviation of all its
 * activations, and for tanh `saturated`, the fraction of them beyond ±0.99, where the
 * curve is flat (null for ReLU).
 */
export function stdsThrough(network, activation, scale, depth = network.layers.length) {
  const f = ACTIVATIONS[activation];
  if (!f) throw new RangeError(`unknown activation ${activation}`);
  const { width, batch } = network;
  let h = network.inputs;
  const stds = [];
  const saturated = activation === "tanh" ? [] : null;
  for (let layer = 0; layer < depth; layer++) {
    const G = network.layers[layer];
    const out = new Float64Array(batch * width);
    for (let n = 0; n < batch; n++) {
      const row = n * width;
      for (let i = 0; i < width; i++) {
        const x = h[row + i];
        if (x === 0) continue; // a ReLU's zeros add nothing
        const gRow = i * width;
        for (let j = 0; j < width; j++) out[row + j] += x * G[gRow + j];
      }
    }
    let flat = 0;
    for (let k = 0; k < out.length; k++) {
      out[k] = f(out[k] * scale);
      if (Math.abs(out[k]) > 0.99) flat += 1;
    }
    stds.push(std(out));
    if (saturated) saturated.push(flat / out.length);
    h = out;
  }
  return { stds, saturated };
}

/** activationStds({activation, init, depth, width}): both steps above in one call. */
export function activationStds({ activation, init, depth, width, batch = 32, seed = 7 }) {
  const network = drawNetwork({ depth, width, batch, seed });
  return stdsThrough(network, activation, weightStd(init, width, width)).stds;
}

/** Words for how the spread changes from the first layer to the last. */
export function describeTrend(stds) {
  const first = stds[0];
  const last = stds[stds.length - 1];
  if (Number.isNaN(last)) return "overflows";
  if (!(last > 0)) return "collapses to exactly zero";
  const ratio = last / first;
  if (!Number.isFinite(ratio)) return "overflows";
  if (ratio < 1e-3) return "collapses towards zero";
  if (ratio < 0.5) return "shrinks steadily";
  if (ratio > 1e3) return "explodes";
  if (ratio > 2) return "grows steadily";
  return "stays level";
}
