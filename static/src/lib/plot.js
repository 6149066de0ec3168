// Linear and log scales and plain SVG axes: our plots are small enough that a plotting
// library would be more code to ship than the plots themselves.
import { s } from "./dom.js";

export function linear([d0, d1], [r0, r1]) {
  const k = (r1 - r0) / (d1 - d0);
  const f = (v) => r0 + (v - d0) * k;
  f.invert = (r) => d0 + (r - r0) / k;
  return f;
}

export function log10Scale([d0, d1], range) {
  const inner = linear([Math.log10(d0), Math.log10(d1)], range);
  return (v) => inner(Math.log10(v));
}

/** Evenly spaced "nice" ticks covering [min, max]. */
export function ticks(min, max, count = 5) {
  const span = max - min;
  const rough = span / count;
  const mag = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((st) => span / st <= count) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** An SVG path through points, skipping (breaking at) non-finite values. */
export function linePath(points, sx, sy) {
  let d = "";
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) { pen = false; continue; }
    d += `${pen ? "L" : "M"}${sx(x).toFixed(2)},${sy(y).toFixed(2)}`;
    pen = true;
  }
  return d;
}

/**
 * Axes with tick labels. box = {left, right, top, bottom} in SVG units; the group is
 * aria-hidden because the SVG's title already states the numbers in words.
 */
export function axes({ sx, sy, box, xTicks, yTicks, xLabel, yLabel, xFormat = String, yFormat = String }) {
  const g = s("g", { class: "axes", "aria-hidden": "true" });
  g.append(s("line", { x1: box.left, x2: box.right, y1: box.bottom, y2: box.bottom, class: "axis" }));
  g.append(s("line", { x1: box.left, x2: box.left, y1: box.top, y2: box.bottom, class: "axis" }));
  for (const t of xTicks) {
    const x = sx(t);
    g.append(s("line", { x1: x, x2: x, y1: box.bottom, y2: box.bottom + 4, class: "axis" }));
    g.append(s("text", { x, y: box.bottom + 16, class: "tick", "text-anchor": "middle" }, xFormat(t)));
  }
  for (const t of yTicks) {
    const y = sy(t);
    g.append(s("line", { x1: box.left - 4, x2: box.left, y1: y, y2: y, class: "axis" }));
    g.append(s("line", { x1: box.left, x2: box.right, y1: y, y2: y, class: "grid" }));
    g.append(s("text", { x: box.left - 7, y: y + 4, class: "tick", "text-anchor": "end" }, yFormat(t)));
  }
  if (xLabel) g.append(s("text", { x: (box.left + box.right) / 2, y: box.bottom + 32, class: "axis-label", "text-anchor": "middle" }, xLabel));
  if (yLabel) {
    const cy = (box.top + box.bottom) / 2;
    g.append(s("text", { x: 12, y: cy, class: "axis-label", "text-anchor": "middle", transform: `rotate(-90 12 ${cy})` }, yLabel));
  }
  return g;
}
