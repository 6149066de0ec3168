// The tiny network of lesson 7: one input, one hidden ReLU unit, one output, squared
// error.  z = w1 x + b1,  h = relu(z),  yhat = w2 h + b2,  L = (yhat - y)^2.

export const LESSON_NETWORK = { x: 2, y: 1, w1: 0.5, b1: 0.5, w2: -1, b2: 2 };

export function forward({ x, y, w1, b1, w2, b2 }) {
  const z = w1 * x + b1;
  const h = Math.max(z, 0);
  const yhat = w2 * h + b2;
  const loss = (yhat - y) ** 2;
  return { z, h, yhat, loss };
}

/** Backward pass: each gradient is the one before it times a local slope. */
export function backward(params, fwd = forward(params)) {
  const { x, y, w2 } = params;
  const dYhat = 2 * (fwd.yhat - y);
  const dW2 = dYhat * fwd.h;
  const dB2 = dYhat;
  const dH = dYhat * w2;
  // ReLU passes the gradient where it was active; at z = 0 we take slope 0 (PyTorch's choice).
  const dZ = dH * (fwd.z > 0 ? 1 : 0);
  const dW1 = dZ * x;
  const dB1 = dZ;
  return { dYhat, dW2, dB2, dH, dZ, dW1, dB1 };
}

/**
 * The walk the widget shows, in order: the forward values left to right, then the
 * gradients right to left. Each entry names the quantity, its rule and its value.
 */
export function walkthrough(params) {
  const f = forward(params);
  const b = backward(params, f);
  const p = params;
  // negative numbers substituted into a rule get parentheses: −1·(−1), not −1·−1
  const n = (v) => (v < 0 ? `(${formatNumber(v)})` : formatNumber(v));
  return [
    { key: "z", phase: "forward", label: "z", rule: `w₁·x + b₁ = ${n(p.w1)}·${n(p.x)} + ${n(p.b1)}`, value: f.z },
    { key: "h", phase: "forward", label: "h", rule: `relu(z) = relu(${n(f.z)})`, value: f.h },
    { key: "yhat", phase: "forward", label: "ŷ", rule: `w₂·h + b₂ = ${n(p.w2)}·${n(f.h)} + ${n(p.b2)}`, value: f.yhat },
    { key: "loss", phase: "forward", label: "L", rule: `(ŷ − y)² = (${n(f.yhat)} − ${n(p.y)})²`, value: f.loss },
    { key: "dYhat", phase: "backward", label: "∂L/∂ŷ", rule: `2(ŷ − y) = 2·(${n(f.yhat)} − ${n(p.y)})`, value: b.dYhat },
    { key: "dW2", phase: "backward", label: "∂L/∂w₂", rule: `∂L/∂ŷ · h = ${n(b.dYhat)}·${n(f.h)}`, value: b.dW2 },
    { key: "dB2", phase: "backward", label: "∂L/∂b₂", rule: `∂L/∂ŷ · 1`, value: b.dB2 },
    { key: "dH", phase: "backward", label: "∂L/∂h", rule: `∂L/∂ŷ · w₂ = ${n(b.dYhat)}·${n(p.w2)}`, value: b.dH },
    { key: "dZ", phase: "backward", label: "∂L/∂z", rule: `∂L/∂h · ${f.z > 0 ? "1 (z > 0)" : "0 (z ≤ 0)"}`, value: b.dZ },
    { key: "dW1", phase: "backward", label: "∂L/∂w₁", rule: `∂L/∂z · x = ${n(b.dZ)}·${n(p.x)}`, value: b.dW1 },
    { key: "dB1", phase: "backward", label: "∂L/∂b₁", rule: `∂L/∂z · 1`, value: b.dB1 },
  ];
}

/** Central finite difference of the loss with respect to one parameter. */
export function numericGradient(params, name, h = 1e-6) {
  const plus = forward({ ...params, [name]: params[name] + h }).loss;
  const minus = forward({ ...params, [name]: params[name] - h }).loss;
  return (plus - minus) / (2 * h);
}

/** Up to 4 significant digits, no trailing zeros, a real minus sign. */
export function formatNumber(v) {
  if (!Number.isFinite(v)) return String(v);
  const r = Number.parseFloat(v.toPrecision(4));
  const s = Object.is(r, -0) ? "0" : String(r);
  return s.replace("-", "−");
}
