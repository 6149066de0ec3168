// Lesson 1: a predicted and an actual value, the losses they give, and the penalty
// curves of squared vs absolute error; then three class probabilities against a one-hot
// label (the lesson's worked figure: (0.7, 0.2, 0.1) vs (1, 0, 0) gives MSE 0.0467).
import { h, s, slider, select, liveRegion, svgFigure, fmt, widgetHeading } from "../lib/dom.js";
import { linear, linePath, axes, ticks } from "../lib/plot.js";
import { mse, binaryCrossEntropy, crossEntropy, normalize, oneHot, squaredError, absoluteError } from "../math/loss.js";

const W = 360;
const H = 230;
const BOX = { left: 44, right: W - 12, top: 12, bottom: H - 40 };
const CLASSES = ["cat", "dog", "bird"];

export default function mount(root) {
  const live = liveRegion();
  const sx = linear([-1, 1], [BOX.left, BOX.right]);
  const sy = linear([0, 1], [BOX.bottom, BOX.top]);
  const curve = (f) => linePath(Array.from({ length: 101 }, (_, i) => { const e = -1 + i / 50; return [e, f(e)]; }), sx, sy);

  const plot = svgFigure({ width: W, height: H, label: "" });
  plot.svg.append(
    axes({ sx, sy, box: BOX, xTicks: ticks(-1, 1, 4), yTicks: ticks(0, 1, 4), xLabel: "error e = prediction − actual", yLabel: "penalty", xFormat: fmt, yFormat: fmt }),
    s("path", { d: curve(absoluteError), class: "series series-2" }),
    s("path", { d: curve(squaredError), class: "series series-1" }),
  );
  const marker = s("line", { class: "marker-line", y1: BOX.top, y2: BOX.bottom });
  const dotSq = s("circle", { r: 5, class: "dot series-1" });
  const dotAbs = s("circle", { r: 5, class: "dot series-2" });
  plot.svg.append(marker, dotAbs, dotSq);

  const readout = h("dl", { class: "widget-readout" });
  const predicted = slider({ label: "Predicted value ŷ", min: 0.01, max: 0.99, step: 0.01, value: 0.7, format: (v) => fmt(v, 2), onInput: update, name: "predicted" });
  const actual = slider({ label: "Actual value y", min: 0, max: 1, step: 0.01, value: 1, format: (v) => fmt(v, 2), onInput: update, name: "actual" });

  function update() {
    const p = predicted.value;
    const y = actual.value;
    const e = p - y;
    const sq = squaredError(e);
    const ab = absoluteError(e);
    const ce = binaryCrossEntropy(p, y);
    marker.setAttribute("x1", sx(e));
    marker.setAttribute("x2", sx(e));
    dotSq.setAttribute("cx", sx(e)); dotSq.setAttribute("cy", sy(sq));
    dotAbs.setAttribute("cx", sx(e)); dotAbs.setAttribute("cy", sy(ab));
    const rows = [
      ["error e", fmt(e)],
      ["squared error e² (the MSE of this one example)", fmt(sq)],
      ["absolute error |e|", fmt(ab)],
      ["cross-entropy −[y ln ŷ + (1 − y) ln(1 − ŷ)]", fmt(ce)],
    ];
    readout.replaceChildren(...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
    plot.setLabel(
      `Penalty curves against the error: squared error e² is a parabola, absolute error |e| a V. ` +
      `Prediction ${fmt(p, 2)}, actual ${fmt(y, 2)}: error ${fmt(e)}, squared error ${fmt(sq)}, absolute error ${fmt(ab)}.`,
    );
    live.say(`Error ${fmt(e)}. Squared error ${fmt(sq)}, absolute error ${fmt(ab)}, cross-entropy ${fmt(ce)}.`);
  }

  // three classes against a one-hot label
  const scoreSliders = CLASSES.map((name, i) => slider({
    label: `Score for ${name}`, min: 0, max: 1, step: 0.01, value: [0.7, 0.2, 0.1][i], format: (v) => fmt(v, 2), onInput: updateClasses, name: `score-${name}`,
  }));
  const truth = select({ label: "Actual class", options: CLASSES.map((c, i) => [String(i), c]), value: "0", onChange: updateClasses, name: "truth" });
  const classReadout = h("dl", { class: "widget-readout" });

  function updateClasses() {
    const probs = normalize(scoreSliders.map((sl) => sl.value));
    const k = Number(truth.value);
    const target = oneHot(k, CLASSES.length);
    const m = mse(probs, target);
    const ce = crossEntropy(probs, k);
    classReadout.replaceChildren(
      h("dt", {}, "predicted probabilities (scores scaled to sum to 1)"),
      h("dd", {}, probs.map((p, i) => `${CLASSES[i]} ${fmt(p)}`).join(", ")),
      h("dt", {}, `MSE against one-hot (${target.join(", ")})`),
      h("dd", {}, fmt(m)),
      h("dt", {}, `cross-entropy −ln p(${CLASSES[k]})`),
      h("dd", {}, fmt(ce)),
    );
    live.say(`Three classes: MSE ${fmt(m)}, cross-entropy ${fmt(ce)}.`);
  }

  root.append(
    widgetHeading("Loss sliders"),
    h("div", { class: "widget-controls" }, predicted.root, actual.root),
    readout,
    plot.svg,
    h("p", { class: "widget-legend", "aria-hidden": "true" },
      h("span", { class: "key key-1" }, "squared error e²"), " ", h("span", { class: "key key-2" }, "absolute error |e|")),
    h("h4", { class: "widget-subtitle" }, "Three classes, one right answer"),
    h("div", { class: "widget-controls" }, ...scoreSliders.map((sl) => sl.root), truth.root),
    classReadout,
    live.el,
  );
  update();
  updateClasses();
  live.say("", { now: true });
}
