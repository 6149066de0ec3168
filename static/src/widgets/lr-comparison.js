// Lesson 4: the same bowl f(x) = (a/2) x^2 with a = 4, descended at three fixed rates
// side by side, plus a fourth panel whose rate is set by a slider. Converges iff
// 0 < alpha < 2/a = 0.5; alpha = 1/a = 0.25 lands in one step.
import { h, s, slider, liveRegion, svgFigure, fmt, widgetHeading } from "../lib/dom.js";
import { linear, linePath } from "../lib/plot.js";
import { gradientDescentPath, bowl1d, describeFactor } from "../math/descent.js";

const A = 4;
const BOWL = bowl1d(A);
const X0 = 1;
const STEPS = 10;
const W = 220;
const H = 150;
const XMAX = 1.6;
const FIXED = [
  [0.05, "too small"],
  [0.25, "one step (α = 1/a)"],
  [0.55, "too large"],
];

function panel(title) {
  const sx = linear([-XMAX, XMAX], [8, W - 8]);
  const sy = linear([0, BOWL.f(XMAX)], [H - 8, 8]);
  const plot = svgFigure({ width: W, height: H, label: "" });
  const curve = Array.from({ length: 81 }, (_, i) => { const x = -XMAX + (i * 2 * XMAX) / 80; return [x, BOWL.f(x)]; });
  plot.svg.append(s("path", { d: linePath(curve, sx, sy), class: "series series-2", "aria-hidden": "true" }));
  const path = s("path", { class: "series series-1 path" });
  const dots = s("g");
  plot.svg.append(path, dots);
  const heading = h("h4", { class: "widget-subtitle" }, title);
  const caption = h("p", { class: "widget-panel-caption" });
  const root = h("div", { class: "widget-panel" }, heading, plot.svg, caption);

  function draw(lr) {
    const xs = gradientDescentPath(BOWL.grad, X0, lr, STEPS);
    const onChart = [];
    let escaped = null;
    xs.forEach((x, k) => { if (Math.abs(x) <= XMAX) { if (escaped === null) onChart.push(x); } else if (escaped === null) escaped = k; });
    path.setAttribute("d", linePath(onChart.map((x) => [x, BOWL.f(x)]), sx, sy));
    dots.replaceChildren(...onChart.map((x, k) => s("circle", { cx: sx(x), cy: sy(BOWL.f(x)), r: k === 0 ? 5 : 3, class: k === 0 ? "start" : "dot series-1" })));
    const r = BOWL.factor(lr);
    const last = xs[xs.length - 1];
    const words = `α = ${fmt(lr, 2)}: each step multiplies x by ${fmt(r, 2)}, ${describeFactor(r)}. ` +
      `After ${STEPS} steps x = ${fmt(last, 3)}, loss ${fmt(BOWL.f(last), 3)}` +
      (escaped !== null ? `; the walk leaves the chart at step ${escaped}.` : ".");
    caption.textContent = words;
    plot.setLabel(`Descent on the bowl f(x) = 2x² from x = 1. ${words}`);
    return words;
  }
  return { root, draw };
}

export default function mount(root) {
  const live = liveRegion();
  const grid = h("div", { class: "widget-grid" });
  for (const [lr, name] of FIXED) {
    const p = panel(`${name}: α = ${lr}`);
    p.draw(lr);
    grid.append(p.root);
  }
  const own = panel("your rate");
  const rate = slider({
    label: "Your learning rate α", min: 0.01, max: 0.7, step: 0.01, value: 0.4, format: (v) => fmt(v, 2), name: "rate",
    onInput: (v) => live.say(own.draw(v)),
  });
  own.draw(rate.value);
  grid.append(own.root);
  root.append(
    widgetHeading("Three learning rates, side by side"),
    h("p", { class: "widget-note" }, `The bowl f(x) = (a/2)x² with a = ${A}, starting at x = ${X0}. Descent converges when 0 < α < 2/a = 0.5.`),
    h("div", { class: "widget-controls" }, rate.root),
    grid,
    live.el,
  );
}
