// Lesson 6: SGD, momentum and Adam start together on the narrow valley
// f(x, y) = 0.5 (x^2 + 50 y^2) and move step for step.
import { h, s, slider, button, liveRegion, svgFigure, fmt, widgetHeading } from "../lib/dom.js";
import { linear, linePath } from "../lib/plot.js";
import { makeOptimizer, narrowValley } from "../math/optimizers.js";

const W = 380;
const H = 190;
const PAD = 10;
const X_RANGE = [-9, 3];
const Y_RANGE = [-1.6, 1.6];
const MAX_STEPS = 300;
const TARGET = 1e-3;
const RACERS = [
  { key: "sgd", name: "SGD", cls: "series-1" },
  { key: "momentum", name: "Momentum", cls: "series-2" },
  { key: "adam", name: "Adam", cls: "series-3" },
];

export default function mount(root) {
  const live = liveRegion();
  const sx = linear(X_RANGE, [PAD, W - PAD]);
  const sy = linear(Y_RANGE, [H - PAD, PAD]);
  const plot = svgFigure({ width: W, height: H, label: "" });
  const contours = s("g", { "aria-hidden": "true" });
  for (const c of [0.05, 0.25, 1, 3, 8, 16, 32, 60]) {
    contours.append(s("ellipse", {
      cx: sx(0), cy: sy(0), rx: Math.sqrt(2 * c) * (sx(1) - sx(0)), ry: Math.sqrt((2 * c) / 50) * (sy(0) - sy(1)), class: "contour",
    }));
  }
  contours.append(s("circle", { cx: sx(0), cy: sy(0), r: 3, class: "minimum" }));
  plot.svg.append(contours);
  for (const r of RACERS) {
    r.path = s("path", { class: `series ${r.cls} path` });
    r.dot = s("circle", { r: 5, class: `dot ${r.cls}` });
    plot.svg.append(r.path, r.dot);
  }

  const sgdRate = slider({ label: "Rate for SGD and momentum", min: 0.005, max: 0.039, step: 0.001, value: 0.035, format: (v) => fmt(v, 3), onInput: () => reset(), name: "sgd-rate" });
  const adamRate = slider({ label: "Rate for Adam", min: 0.01, max: 1, step: 0.01, value: 0.3, format: (v) => fmt(v, 2), onInput: () => reset(), name: "adam-rate" });
  const play = button("Play", () => (timer ? stop(true) : start()), { "aria-pressed": "false" });
  const stepOnce = button("Step", () => { stop(false); advance(); draw(); announce(); });
  const resetButton = button("Reset", () => { reset(); announce(); });
  const table = h("table", { class: "widget-table" });

  let k = 0;
  let timer = null;

  function reset() {
    stop(false);
    k = 0;
    for (const r of RACERS) {
      r.opt = makeOptimizer(r.key, r.key === "adam" ? { lr: adamRate.value } : { lr: sgdRate.value, beta: 0.9 });
      r.p = narrowValley.start.slice();
      r.trail = [r.p];
      r.reached = null;
    }
    draw();
  }

  function advance() {
    if (k >= MAX_STEPS) return false;
    k += 1;
    for (const r of RACERS) {
      r.p = r.opt.step(r.p, narrowValley.grad(r.p));
      r.trail.push(r.p);
      if (r.reached === null && narrowValley.f(r.p) < TARGET) r.reached = k;
    }
    return true;
  }

  function start() {
    if (k >= MAX_STEPS) reset();
    play.textContent = "Pause";
    play.setAttribute("aria-pressed", "true");
    timer = setInterval(() => {
      const more = advance();
      draw();
      if (!more || RACERS.every((r) => r.reached !== null)) { stop(true); }
    }, 60);
  }

  function stop(announceNow) {
    if (timer) { clearInterval(timer); timer = null; }
    play.textContent = "Play";
    play.setAttribute("aria-pressed", "false");
    if (announceNow) announce();
  }

  function status(r) {
    const loss = narrowValley.f(r.p);
    return `${r.name}: loss ${fmt(loss)}${r.reached !== null ? `, below ${TARGET} at step ${r.reached}` : ""}`;
  }

  function draw() {
    for (const r of RACERS) {
      r.path.setAttribute("d", linePath(r.trail, sx, sy));
      r.dot.setAttribute("cx", sx(Math.max(X_RANGE[0], Math.min(X_RANGE[1], r.p[0]))));
      r.dot.setAttribute("cy", sy(Math.max(Y_RANGE[0], Math.min(Y_RANGE[1], r.p[1]))));
    }
    table.replaceChildren(
      h("caption", {}, `After ${k} steps`),
      h("thead", {}, h("tr", {}, ...["optimizer", "position (x, y)", "loss", `below ${TARGET} at step`].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, ...RACERS.map((r) => h("tr", {},
        h("th", { scope: "row" }, h("span", { class: `key key-${r.cls.slice(-1)}` }, r.name)),
        h("td", {}, `(${fmt(r.p[0])}, ${fmt(r.p[1])})`),
        h("td", {}, fmt(narrowValley.f(r.p))),
        h("td", {}, r.reached === null ? "not yet" : String(r.reached)),
      ))),
    );
    plot.setLabel(`Narrow valley f(x, y) = ½(x² + 50y²), all three start at (−8, 1). After ${k} steps: ${RACERS.map(status).join("; ")}.`);
  }

  function announce() {
    live.say(`After ${k} steps. ${RACERS.map(status).join(". ")}.`, { now: true });
  }

  root.append(
    widgetHeading("Optimizer race on a narrow valley"),
    plot.svg,
    h("div", { class: "widget-controls" }, play, stepOnce, resetButton, sgdRate.root, adamRate.root),
    table,
    h("p", { class: "widget-note" }, "Momentum: v ← βv + g, w ← w − αv. Adam: moving averages of g and g², bias-corrected by 1 − βᵗ (β₁ = 0.9, β₂ = 0.999)."),
    live.el,
  );
  reset();
}
