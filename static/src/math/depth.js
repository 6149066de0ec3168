// Gradient size per layer of a deep fully connected network (lesson 8). A real forward
// and backward pass in the browser, on a seeded random batch, so the bars are measured,
// not drawn from a formula.
import { mulberry32, normalSampler } from "./random.js";

export const ACTIVATIONS = {
  sigmoid: {
    f: (z) => 1 / (1 + Math.exp(-z)),
    // derivative from the output a = sigmoid(z): a (1 - a), at most 0.25
    dFromOutput: (a) => a * (1 - a),
  },
  tanh: { f: Math.tanh, dFromOutput: (a) => 1 - a * a },
  relu: { f: (z) => (z > 0 ? z : 0), dFromOutput: (a) => (a > 0 ? 1 : 0) },
};

// Weight standard deviations: Xavier/Glorot keeps variance for tanh-like units, He
// (2 / fan_in) makes up for ReLU zeroing half its inputs.
export const INITS = {
  xavier: (fanIn, fanOut) => Math.sqrt(2 / (fanIn + fanOut)),
  he: (fanIn) => Math.sqrt(2 / fanIn),
};

/**
 * Frobenius norm of dL/dW for every layer (index 0 = next to the input), for a
 * network of `depth` square layers of `width` units and a random upstream gradient.
 */
export function layerGradientNorms({ depth, activation, init, width = 32, batch = 16, seed = 1 }) {
  const act = ACTIVATIONS[activation];
  const std = INITS[init](width, width);
  if (!act || !std) throw new RangeError("unknown activation or initialization");
  const normal = normalSampler(mulberry32(seed));
  const weights = [];
  for (let l = 0; l < depth; l++) {
    weights.push(Float64Array.from({ length: width * width }, () => normal() * std));
  }
  // forward: keep each layer's input (the backward pass needs it) and output
  let a = Float64Array.from({ length: batch * width }, () => normal());
  const inputs = [];
  const outputs = [];
  for (let l = 0; l < depth; l++) {
    inputs.push(a);
    const W = weights[l];
    const out = new Float64Array(batch * width);
    for (let n = 0; n < batch; n++) {
      for (let j = 0; j < width; j++) {
        let s = 0;
        for (let i = 0; i < width; i++) s += a[n * width + i] * W[i * width + j];
        out[n * width + j] = act.f(s);
      }
    }
    outputs.push(out);
    a = out;
  }
  // backward from a random upstream gradient at the output
  let g = Float64Array.from({ length: batch * width }, () => normal() / batch);
  const norms = new Array(depth);
  for (let l = depth - 1; l >= 0; l--) {
    const W = weights[l];
    const out = outputs[l];
    const inp = inputs[l];
    const dz = g.map((gi, k) => gi * act.dFromOutput(out[k]));
    let sq = 0;
    for (let i = 0; i < width; i++) {
      for (let j = 0; j < width; j++) {
        let s = 0;
        for (let n = 0; n < batch; n++) s += inp[n * width + i] * dz[n * width + j];
        sq += s * s;
      }
    }
    norms[l] = Math.sqrt(sq);
    const prev = new Float64Array(batch * width);
    for (let n = 0; n < batch; n++) {
      for (let i = 0; i < width; i++) {
        let s = 0;
        for (let j = 0; j < width; j++) s += dz[n * width + j] * W[i * width + j];
        prev[n * width + i] = s;
      }
    }
    g = prev;
  }
  return norms;
}
