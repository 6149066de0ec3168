// Lesson 2: contour map of a loss over two weights (a tilted, stretched bowl). Clicking
// drops a start point; the path of plain gradient descent from there is drawn. The start
// can also be typed, so the widget works from the keyboard.
import { h, s, slider, numberInput, button, liveRegion, svgFigure, fmt, widgetHeading } from "../lib/dom.js";
import { linear, linePath } from "../lib/plot.js";
import { gradientDescentPath, quadratic2d, symmetricEigen2 } from "../math/descent.js";

const SIZE = 360;
const PAD = 10;
const EXTENT = 3; // weights from -3 to 3
const BOWL = quadratic2d(2, 1.5, 5);
const LEVELS = [0.1, 0.3, 0.75, 1.5, 3, 6, 12, 24];

export default function mount(root) {
  const live = liveRegion();
  const sx = linear([-EXTENT, EXTENT], [PAD, SIZE - PAD]);
  const sy = linear([-EXTENT, EXTENT], [SIZE - PAD, PAD]);
  const unit = sx(1) - sx(0);
  const { values, angle } = symmetricEigen2(2, 1.5, 5);
  const deg = (-angle * 180) / Math.PI; // SVG's y axis points down

  const plot = svgFigure({ width: SIZE, height: SIZE, label: "", className: "widget-plot-square widget-clickable" });
  const contours = s("g", { class: "contours", "aria-hidden": "true" });
  for (const c of LEVELS) {
    contours.append(s("ellipse", {
      cx: sx(0), cy: sy(0),
      rx: Math.sqrt((2 * c) / values[0]) * unit,
      ry: Math.sqrt((2 * c) / values[1]) * unit,
      transform: `rotate(${deg.toFixed(3)} ${sx(0)} ${sy(0)})`,
      class: "contour",
    }));
  }
  contours.append(
    s("line", { x1: sx(-EXTENT), x2: sx(EXTENT), y1: sy(0), y2: sy(0), class: "grid" }),
    s("line", { x1: sx(0), x2: sx(0), y1: sy(-EXTENT), y2: sy(EXTENT), class: "grid" }),
    s("text", { x: SIZE - PAD - 2, y: sy(0) - 6, class: "tick", "text-anchor": "end" }, "w₁"),
    s("text", { x: sx(0) + 6, y: PAD + 12, class: "tick" }, "w₂"),
    s("circle", { cx: sx(0), cy: sy(0), r: 3, class: "minimum" }),
  );
  const path = s("path", { class: "series series-1 path" });
  const dots = s("g", { class: "dots" });
  const startDot = s("circle", { r: 6, class: "start" });
  plot.svg.append(contours, path, dots, startDot);

  let start = [-2.5, 1.5];
  const rate = slider({ label: "Learning rate α", min: 0.02, max: 0.38, step: 0.01, value: 0.1, format: (v) => fmt(v, 2), onInput: draw, name: "rate" });
  const steps = slider({ label: "Steps", min: 1, max: 60, step: 1, value: 25, format: String, onInput: draw, name: "steps" });
  const startX = numberInput({ label: "Start w₁", value: start[0], step: 0.1, name: "start-x" });
  const startY = numberInput({ label: "Start w₂", value: start[1], step: 0.1, name: "start-y" });
  const go = button("Run from this start", () => {
    const x = clamp(startX.value), y = clamp(startY.value);
    if (Number.isFinite(x) && Number.isFinite(y)) { start = [x, y]; draw(); announce(); }
  });
  const readout = h("p", { class: "widget-readout-line" });

  plot.svg.addEventListener("click", (event) => {
    const ctm = plot.svg.getScreenCTM();
    if (!ctm) return;
    const pt = new DOMPoint(event.clientX, event.clientY).matrixTransform(ctm.inverse());
    start = [clamp(sx.invert(pt.x)), clamp(sy.invert(pt.y))].map((v) => Math.round(v * 100) / 100);
    startX.set(start[0]);
    startY.set(start[1]);
    draw();
    announce();
  });

  let summary = "";
  function draw() {
    const points = gradientDescentPath(BOWL.grad, start, rate.value, steps.value);
    const visible = points.filter(([x, y]) => Math.abs(x) < 50 && Math.abs(y) < 50);
    path.setAttribute("d", linePath(visible, sx, sy));
    dots.replaceChildren(...visible.slice(1).map(([x, y]) => s("circle", { cx: sx(x), cy: sy(y), r: 2.5, class: "dot series-1" })));
    startDot.setAttribute("cx", sx(start[0]));
    startDot.setAttribute("cy", sy(start[1]));
    const end = points[points.length - 1];
    const f0 = BOWL.f(start);
    const f1 = BOWL.f(end);
    const verdict = !Number.isFinite(f1) || f1 > f0 ? "The path climbs: this rate is too large for the steep direction." : "";
    summary = `Start (${fmt(start[0])}, ${fmt(start[1])}), loss ${fmt(f0)}. After ${points.length - 1} steps at rate ${fmt(rate.value, 2)}: ` +
      `(${fmt(end[0])}, ${fmt(end[1])}), loss ${fmt(f1)}. ${verdict}`.trim();
    readout.textContent = summary;
    plot.setLabel(`Contour map of a loss over two weights w₁ and w₂: stretched, tilted ellipses around the minimum at (0, 0). ${summary}`);
    live.say(summary);
  }
  function announce() { live.say(summary, { now: true }); }

  root.append(
    widgetHeading("Contour map: click to drop a start point"),
    plot.svg,
    readout,
    h("div", { class: "widget-controls" }, rate.root, steps.root, startX.root, startY.root, go),
    h("p", { class: "widget-note" }, "The loss is f(w) = ½ wᵀHw with H = [[2, 1.5], [1.5, 5]]; each step is w ← w − α ∇f(w). Steps above α = 2/λmax ≈ " + fmt(2 / values[0], 2) + " diverge."),
    live.el,
  );
  draw();
  live.say("", { now: true });
}

function clamp(v) {
  return Math.max(-EXTENT, Math.min(EXTENT, v));
}
