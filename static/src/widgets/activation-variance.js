// Lesson 12: the spread (standard deviation) of the activations at every layer of a deep
// network of square layers, for four weight scales at once (0.01, LeCun/Glorot, He, 1.0),
// through tanh or ReLU, on a log scale. Measured by a real forward pass in the browser
// (math/init.js); every scale multiplies the same random draws.
import { h, s, slider, select, liveRegion, svgFigure, fmt, widgetHeading } from "../lib/dom.js";
import { linear, log10Scale, linePath, axes } from "../lib/plot.js";
import { INITS, drawNetwork, stdsThrough, weightStd, varianceGain, describeTrend } from "../math/init.js";

const W = 380;
const H = 240;
const BOX = { left: 56, right: W - 12, top: 12, bottom: H - 40 };
const MAX_DEPTH = 16;
const BATCH = 16;
const ORDER = ["he", "glorot", "small", "large"];
const SERIES = { he: 1, small: 2, glorot: 3, large: 4 };

export default function mount(root) {
  const live = liveRegion();
  const plot = svgFigure({ width: W, height: H, label: "" });
  const chart = s("g");
  plot.svg.append(chart);

  // One random network per width (the slow part), and its curves per activation.
  const networks = new Map();
  const curves = new Map();
  function measured(activation, width) {
    const key = `${activation}:${width}`;
    if (!curves.has(key)) {
      if (!networks.has(width)) networks.set(width, drawNetwork({ depth: MAX_DEPTH, width, batch: BATCH }));
      const network = networks.get(width);
      const byInit = {};
      for (const init of ORDER) byInit[init] = stdsThrough(network, activation, weightStd(init, width));
      curves.set(key, byInit);
    }
    return curves.get(key);
  }

  const activation = select({ label: "Activation", value: "relu", onChange: draw, name: "activation",
    options: [["relu", "ReLU"], ["tanh", "tanh"]] });
  const width = select({ label: "Width (units per layer)", value: "64", onChange: draw, name: "width",
    options: [["16", "16"], ["64", "64"], ["256", "256"]] });
  const depth = slider({ label: "Layers", min: 2, max: MAX_DEPTH, step: 1, value: 10, format: String, onInput: draw, name: "depth" });
  const readout = h("p", { class: "widget-readout-line" });
  const tbody = h("tbody");
  const lastLayer = h("th", { scope: "col" }, "last layer");
  const table = h("table", { class: "widget-table" },
    h("caption", {}, "At each weight scale: the variance gain per layer and the measured spread"),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "weights"), h("th", { scope: "col" }, "std of w"), h("th", { scope: "col" }, "n_in · Var(w)"),
      h("th", { scope: "col" }, "layer 1"), lastLayer, h("th", { scope: "col" }, "trend"))),
    tbody);

  function draw() {
    const act = activation.value;
    const n = Number(width.value);
    const L = depth.value;
    const all = measured(act, n);
    const shown = Object.fromEntries(ORDER.map((init) => [init, all[init].stds.slice(0, L)]));
    const positive = ORDER.flatMap((init) => shown[init]).filter((v) => v > 0 && Number.isFinite(v));
    const lo = 10 ** Math.floor(Math.log10(Math.min(...positive)));
    const hi = 10 ** Math.ceil(Math.log10(Math.max(...positive)));
    const top = hi === lo ? hi * 10 : hi;
    const sy = log10Scale([lo, top], [BOX.bottom, BOX.top]);
    const sx = linear([1, L], [BOX.left + 8, BOX.right - 8]);
    const stride = Math.max(1, Math.ceil(Math.log10(top / lo) / 6));
    const decades = [];
    for (let e = Math.log10(lo); e <= Math.log10(top) + 1e-9; e += stride) decades.push(10 ** e);
    const layerTicks = L <= 10 ? Array.from({ length: L }, (_, i) => i + 1) : [1, Math.round(L / 2), L];
    const point = (v, i) => [i + 1, v > 0 ? v : Number.NaN];
    chart.replaceChildren(
      axes({
        sx, sy, box: BOX, xTicks: layerTicks, yTicks: decades,
        xLabel: "layer", yLabel: "std of activations",
        xFormat: String, yFormat: (v) => `1e${Math.round(Math.log10(v))}`,
      }),
      ...ORDER.flatMap((init) => [
        s("path", { d: linePath(shown[init].map(point), sx, sy), class: `series series-${SERIES[init]}` }),
        ...shown[init].filter((v) => v > 0).map((v, i) => s("circle", { cx: sx(i + 1), cy: sy(v), r: 2.5, class: `dot series-${SERIES[init]}` })),
      ]),
    );

    const sentences = [];
    tbody.replaceChildren(...ORDER.map((init) => {
      const stds = shown[init];
      const trend = describeTrend(stds);
      const saturated = all[init].saturated;
      const note = saturated && saturated[L - 1] > 0.5 ? `, ${Math.round(100 * saturated[L - 1])}% of outputs beyond ±0.99 (saturated)` : "";
      sentences.push(`${INITS[init].label}: ${fmt(stds[0])} at layer 1, ${fmt(stds[L - 1])} at layer ${L}, ${trend}${note}`);
      return h("tr", {},
        h("th", { scope: "row" }, INITS[init].label),
        h("td", {}, fmt(weightStd(init, n))),
        h("td", {}, fmt(varianceGain(init, n))),
        h("td", {}, fmt(stds[0])),
        h("td", {}, fmt(stds[L - 1])),
        h("td", {}, trend + (note ? " (saturated)" : "")));
    }));
    lastLayer.textContent = `layer ${L}`;
    const words = `${L} layers of ${n} ${act === "relu" ? "ReLU" : "tanh"} units. ${sentences.join("; ")}.`;
    readout.textContent = words;
    plot.setLabel(`Line chart, log scale: standard deviation of the activations at each layer for four weight scales. ${words}`);
    live.say(words);
  }

  root.append(
    widgetHeading("How far the signal carries: activation spread per layer"),
    h("div", { class: "widget-controls" }, activation.root, width.root, depth.root),
    plot.svg,
    h("p", { class: "widget-legend", "aria-hidden": "true" },
      ...ORDER.flatMap((init) => [h("span", { class: `key key-${SERIES[init]}` }, `weights ${INITS[init].label}`), " "])),
    readout,
    table,
    h("p", { class: "widget-note" }, `Measured in your browser: a batch of ${BATCH} standard-normal inputs through square layers without biases. The four curves scale the same random weights, so they differ only in n_in · Var(w), the factor each layer multiplies the variance by before the activation. Width 256 matches the lesson's table and takes a moment to compute.`),
    live.el,
  );
  draw();
  live.say("", { now: true });
}
