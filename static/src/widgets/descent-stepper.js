// Lesson 3: the bowl f(x) = x^2, one descent step per press of "Step".
import { h, s, slider, button, liveRegion, svgFigure, fmt, widgetHeading } from "../lib/dom.js";
import { linear, linePath, axes, ticks } from "../lib/plot.js";
import { bowl1d } from "../math/descent.js";

const W = 360;
const H = 240;
const BOX = { left: 40, right: W - 12, top: 12, bottom: H - 40 };
// f(x) = x^2 is the bowl (a / 2) x^2 with a = 2: its slope 2x and the factor 1 - 2α per
// step come from the tested math module.
const BOWL = bowl1d(2);
const { f, grad } = BOWL;
const X0 = 3;

export default function mount(root) {
  const live = liveRegion();
  const sx = linear([-3.5, 3.5], [BOX.left, BOX.right]);
  const sy = linear([0, 12.25], [BOX.bottom, BOX.top]);
  const plot = svgFigure({ width: W, height: H, label: "" });
  const bowl = Array.from({ length: 141 }, (_, i) => { const x = -3.5 + i * 0.05; return [x, f(x)]; });
  plot.svg.append(
    axes({ sx, sy, box: BOX, xTicks: ticks(-3, 3, 6), yTicks: ticks(0, 12, 4), xLabel: "x", yLabel: "f(x) = x²", xFormat: fmt, yFormat: fmt }),
    s("path", { d: linePath(bowl, sx, sy), class: "series series-2" }),
  );
  const trail = s("g");
  const tangent = s("line", { class: "tangent" });
  const marker = s("circle", { r: 6, class: "start" });
  plot.svg.append(trail, tangent, marker);

  let xs = [X0];
  const rate = slider({ label: "Learning rate α", min: 0.05, max: 0.95, step: 0.05, value: 0.1, format: (v) => fmt(v, 2), onInput: reset, name: "rate" });
  const stepButton = button("Step", () => { const x = xs[xs.length - 1]; xs.push(BOWL.factor(rate.value) * x); draw(true); });
  const resetButton = button("Reset", () => reset(true));
  const table = h("table", { class: "widget-table" });

  function reset(announce) { xs = [X0]; draw(announce === true); }

  function draw(announce) {
    const k = xs.length - 1;
    const x = xs[k];
    marker.setAttribute("cx", sx(x));
    marker.setAttribute("cy", sy(f(x)));
    trail.replaceChildren(...xs.slice(0, -1).map((v) => s("circle", { cx: sx(v), cy: sy(f(v)), r: 3.5, class: "dot series-1" })));
    // the slope at the marker, drawn as a short tangent: it points uphill, the step goes the other way
    const g = grad(x);
    const dx = 0.9 / Math.hypot(1, g / 2);
    tangent.setAttribute("x1", sx(x - dx)); tangent.setAttribute("y1", sy(f(x) - g * dx));
    tangent.setAttribute("x2", sx(x + dx)); tangent.setAttribute("y2", sy(f(x) + g * dx));
    const rows = xs.slice(-6).map((v, i) => {
      const step = xs.length - Math.min(6, xs.length) + i;
      return h("tr", {}, h("td", {}, String(step)), h("td", {}, fmt(v, 4)), h("td", {}, fmt(f(v), 4)), h("td", {}, fmt(grad(v), 4)));
    });
    table.replaceChildren(
      h("caption", {}, "Last steps"),
      h("thead", {}, h("tr", {}, ...["step", "x", "f(x)", "slope f′(x)"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, ...rows),
    );
    const text = `Step ${k}: x = ${fmt(x, 4)}, f(x) = ${fmt(f(x), 4)}, slope ${fmt(g, 4)}. Next step moves by ${fmt(-rate.value * g, 4)}.`;
    plot.setLabel(`The bowl f(x) = x² with a marker at the current point. ${text}`);
    if (announce) live.say(text, { now: true });
  }

  root.append(
    widgetHeading("Step-by-step descent on a bowl"),
    plot.svg,
    h("div", { class: "widget-controls" }, stepButton, resetButton, rate.root),
    table,
    h("p", { class: "widget-note" }, "Each step: x ← x − α · 2x, so x is multiplied by 1 − 2α (0.8 at α = 0.1)."),
    live.el,
  );
  draw(false);
}
