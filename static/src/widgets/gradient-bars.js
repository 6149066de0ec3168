// Lesson 11: the size of the gradient at every layer of a deep network, on a log scale,
// for a chosen depth, activation and initialization. Measured by a real forward and
// backward pass in the browser (see math/depth.js).
import { h, s, slider, select, liveRegion, svgFigure, fmt, widgetHeading } from "../lib/dom.js";
import { linear, log10Scale, axes } from "../lib/plot.js";
import { layerGradientNorms } from "../math/depth.js";

const W = 380;
const H = 230;
const BOX = { left: 52, right: W - 10, top: 12, bottom: H - 40 };

export default function mount(root) {
  const live = liveRegion();
  const plot = svgFigure({ width: W, height: H, label: "" });
  const chart = s("g");
  plot.svg.append(chart);

  const depth = slider({ label: "Layers", min: 2, max: 30, step: 1, value: 12, format: String, onInput: draw, name: "depth" });
  const activation = select({ label: "Activation", value: "sigmoid", onChange: draw, name: "activation",
    options: [["sigmoid", "sigmoid"], ["tanh", "tanh"], ["relu", "ReLU"]] });
  const init = select({ label: "Initialization", value: "xavier", onChange: draw, name: "init",
    options: [["xavier", "Xavier / Glorot"], ["he", "He"]] });
  const readout = h("p", { class: "widget-readout-line" });

  function draw() {
    const L = depth.value;
    const norms = layerGradientNorms({ depth: L, activation: activation.value, init: init.value });
    const lo = 10 ** Math.floor(Math.log10(Math.min(...norms)));
    const hi = 10 ** Math.ceil(Math.log10(Math.max(...norms)));
    const top = hi === lo ? hi * 10 : hi;
    const sy = log10Scale([lo, top], [BOX.bottom, BOX.top]);
    const sx = linear([0, L], [BOX.left, BOX.right]);
    const decades = [];
    const stride = Math.max(1, Math.ceil(Math.log10(top / lo) / 5));
    for (let e = Math.log10(lo); e <= Math.log10(top) + 1e-9; e += stride) decades.push(10 ** e);
    const width = (sx(1) - sx(0)) * 0.75;
    chart.replaceChildren(
      axes({
        sx: (i) => sx(i - 0.5), sy, box: BOX,
        xTicks: L <= 12 ? norms.map((_, i) => i + 1) : [1, Math.round(L / 2), L],
        yTicks: decades, xLabel: "layer (1 = next to the input)", yLabel: "gradient size",
        xFormat: String, yFormat: (v) => `1e${Math.round(Math.log10(v))}`,
      }),
      ...norms.map((v, i) => s("rect", {
        x: sx(i) + (sx(1) - sx(0) - width) / 2, width, y: sy(v), height: Math.max(0.5, BOX.bottom - sy(v)), class: "bar",
      })),
    );
    const ratio = norms[0] / norms[L - 1];
    const trend = ratio < 0.1 ? "vanishes towards the input" : ratio > 10 ? "explodes towards the input" : "stays within a small factor";
    const words = `${L} layers, ${activation.value}, ${init.value === "he" ? "He" : "Xavier"} initialization: ` +
      `the gradient at layer 1 is ${fmt(norms[0])}, at layer ${L} ${fmt(norms[L - 1])}; first / last = ${fmt(ratio)}, it ${trend}.`;
    readout.textContent = words;
    plot.setLabel(`Bar chart of gradient size per layer on a log scale. ${words}`);
    live.say(words);
  }

  root.append(
    widgetHeading("Gradient size per layer"),
    h("div", { class: "widget-controls" }, depth.root, activation.root, init.root),
    plot.svg,
    readout,
    h("p", { class: "widget-note" }, "Each bar is ‖∂L/∂W‖ for one layer of 32 units, measured by a forward and backward pass on a fixed random batch."),
    live.el,
  );
  draw();
  live.say("", { now: true });
}
