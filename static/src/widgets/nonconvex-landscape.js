// Lesson 2: a non-convex landscape over two weights: a deep global minimum, a shallower
// local one, the saddle (pass) between them and a nearly flat plain around them. Click
// or tap to drop a start (or type it, pick a preset, or move it with the arrow keys while
// the map has focus); gradient descent runs from there. A button drops many seeded
// random starts and counts where they end: the basins of attraction.
import { h, s, slider, select, numberInput, button, liveRegion, svgFigure, fmt, widgetHeading, uid } from "../lib/dom.js";
import { linear, linePath } from "../lib/plot.js";
import { mulberry32 } from "../math/random.js";
import {
  LANDSCAPE, EXTENT, CRITICAL_POINTS, descend, outcome, basinShares, randomStarts, ridgeStart,
  stableLine, contourSegments, eigenvalues2,
} from "../math/landscape.js";

const SIZE = 360;
const PAD = 10;
const LEVELS = [0.05, 0.15, 0.3, 0.45, 0.6078, 0.75, 0.9, 1.1, 1.3, 1.5, 1.7, 1.85, 1.97, 2.03, 2.1, 2.17];
const RANDOM_STARTS = 200;
const SHADE_CELLS = 48;
const PRESETS = [
  ["", "Choose a start…"],
  ["plain", "Far out on the flat plain (−2.8, −2.8)"],
  ["local", "Upper left, above the local minimum (−2, 2)"],
  ["global", "Right side (2.5, 0.5)"],
  ["border", "On the border between the basins"],
];
const PRESET_POINTS = { plain: [-2.8, -2.8], local: [-2, 2], global: [2.5, 0.5] };
const OUTCOMES = [
  ["global", "global minimum", "series-1"],
  ["local", "local minimum", "series-2"],
  ["saddle", "stopped at the saddle", "series-3"],
  ["moving", "still on its way (flat ground or too few steps)", "series-3"],
  ["bouncing", "bouncing (rate too large to settle)", "series-3"],
  ["diverged", "left the map", "series-3"],
];

const byShort = Object.fromEntries(CRITICAL_POINTS.map((c) => [c.short, c]));

export default function mount(root) {
  const live = liveRegion();
  const sx = linear([-EXTENT, EXTENT], [PAD, SIZE - PAD]);
  const sy = linear([-EXTENT, EXTENT], [SIZE - PAD, PAD]);

  const plot = svgFigure({ width: SIZE, height: SIZE, label: "", className: "widget-plot-square widget-clickable" });
  plot.svg.setAttribute("tabindex", "0");
  // Focusable, so a screen reader must hear what the keys do, not only "image".
  const keysId = uid("landscape-keys");
  plot.svg.setAttribute("aria-describedby", keysId);
  // Shading under the contours: the lower the loss, the darker the ground.
  const shade = s("g", { "aria-hidden": "true" });
  const cell = (2 * EXTENT) / SHADE_CELLS;
  const top = LANDSCAPE.f([EXTENT, EXTENT]);
  for (let j = 0; j < SHADE_CELLS; j++) {
    for (let i = 0; i < SHADE_CELLS; i++) {
      const x = -EXTENT + i * cell;
      const y = -EXTENT + j * cell;
      const depth = Math.max(0, 1 - LANDSCAPE.f([x + cell / 2, y + cell / 2]) / top);
      shade.append(s("rect", {
        x: sx(x).toFixed(2), y: sy(y + cell).toFixed(2), width: (sx(cell) - sx(0) + 0.6).toFixed(2), height: (sx(cell) - sx(0) + 0.6).toFixed(2),
        fill: tint(0.3 * depth ** 1.5),
      }));
    }
  }
  const contours = s("g", { class: "contours", "aria-hidden": "true" });
  contourSegments(LANDSCAPE.f, EXTENT, 90, LEVELS).forEach((segments) => {
    const d = segments.map(([[x1, y1], [x2, y2]]) => `M${sx(x1).toFixed(1)},${sy(y1).toFixed(1)}L${sx(x2).toFixed(1)},${sy(y2).toFixed(1)}`).join("");
    contours.append(s("path", { d, class: "contour" }));
  });
  const saddle = byShort.saddle.point;
  const border = s("g", { "aria-hidden": "true" },
    ...stableLine(LANDSCAPE, saddle).map((line) => s("path", { d: linePath(line, sx, sy), class: "marker-line", fill: "none" })));
  const marks = s("g", { "aria-hidden": "true" });
  for (const c of CRITICAL_POINTS) {
    const [x, y] = [sx(c.point[0]), sy(c.point[1])];
    if (c.kind === "saddle") {
      marks.append(
        s("path", { d: `M${x - 5},${y - 5}L${x + 5},${y + 5}M${x - 5},${y + 5}L${x + 5},${y - 5}`, class: "tangent" }),
        s("text", { x: x + 8, y: y + 14, class: "tick" }, "saddle"),
      );
    } else {
      marks.append(
        s("circle", { cx: x, cy: y, r: 3.5, class: "minimum" }),
        s("text", { x: x + 7, y: y - 7, class: "tick" }, c.short === "global" ? "global min" : "local min"),
      );
    }
  }
  marks.append(
    s("text", { x: sx(EXTENT) - 4, y: sy(EXTENT) + 14, class: "tick", "text-anchor": "end" }, "flat plain"),
    s("text", { x: sx(-EXTENT) + 4, y: sy(-EXTENT) - 6, class: "tick" }, "flat plain"),
  );
  const basinDots = s("g", { "aria-hidden": "true" });
  const path = s("path", { class: "series series-4 path" });
  const endDot = s("circle", { r: 4, class: "dot series-4" });
  const startDot = s("circle", { r: 6, class: "start" });
  plot.svg.append(shade, contours, border, basinDots, marks, path, endDot, startDot);

  let start = [-2, 2];
  let onBorder = false;
  let showBasins = false;
  const starts = randomStarts(RANDOM_STARTS, mulberry32(2024));

  const rate = slider({
    label: "Learning rate α", min: 0.02, max: 1, step: 0.01, value: 0.1, format: (v) => fmt(v, 2), name: "rate",
    onInput: () => { if (onBorder) placeOnBorder(); update(); },
  });
  const steps = slider({ label: "Steps", min: 10, max: 1000, step: 10, value: 200, format: String, onInput: () => update(), name: "steps" });
  const startX = numberInput({ label: "Start w₁", value: start[0], step: 0.1, name: "start-x" });
  const startY = numberInput({ label: "Start w₂", value: start[1], step: 0.1, name: "start-y" });
  const go = button("Run from this start", () => {
    const x = startX.value;
    const y = startY.value;
    if (Number.isFinite(x) && Number.isFinite(y)) moveStart([x, y]);
  });
  const preset = select({
    label: "Or try a start", options: PRESETS, value: "", name: "preset",
    onChange: (v) => {
      if (v === "border") { placeOnBorder(); update(true); }
      else if (PRESET_POINTS[v]) moveStart(PRESET_POINTS[v]);
    },
  });
  const basinsButton = button(`Drop ${RANDOM_STARTS} random starts`, () => {
    showBasins = !showBasins;
    // the label says the state: no aria-pressed as well, or a reader hears both
    basinsButton.textContent = showBasins ? "Hide the random starts" : `Drop ${RANDOM_STARTS} random starts`;
    update(true);
  });
  const readout = h("p", { class: "widget-readout-line" });
  const table = h("table", { class: "widget-table" });
  table.hidden = true;

  // The border start is a bisection of many long descents: found once per rate (the
  // slider has 99 values), not again on every input event.
  const borderAt = new Map();
  function placeOnBorder() {
    if (!borderAt.has(rate.value)) borderAt.set(rate.value, ridgeStart(LANDSCAPE, rate.value));
    const p = borderAt.get(rate.value);
    if (!p) return;
    start = p;
    onBorder = true;
    startX.set(Number(p[0].toFixed(4)));
    startY.set(p[1]);
  }

  function moveStart(p) {
    start = p.map((v) => Math.round(clamp(v) * 100) / 100);
    onBorder = false;
    startX.set(start[0]);
    startY.set(start[1]);
    update(true);
  }

  plot.svg.addEventListener("click", (event) => {
    const ctm = plot.svg.getScreenCTM();
    if (!ctm) return;
    const pt = new DOMPoint(event.clientX, event.clientY).matrixTransform(ctm.inverse());
    moveStart([sx.invert(pt.x), sy.invert(pt.y)]);
  });
  plot.svg.addEventListener("keydown", (event) => {
    const d = event.shiftKey ? 0.5 : 0.1;
    const move = { ArrowLeft: [-d, 0], ArrowRight: [d, 0], ArrowUp: [0, d], ArrowDown: [0, -d] }[event.key];
    if (!move) return;
    event.preventDefault();
    moveStart([start[0] + move[0], start[1] + move[1]]);
  });

  function describe(o) {
    const at = (p) => `(${fmt(p[0])}, ${fmt(p[1])})`;
    const lingered = o.nearSaddle >= 20 && o.kind !== "saddle" ? ` It lingered ${o.nearSaddle} steps beside the saddle before rolling off.` : "";
    switch (o.kind) {
      case "minimum": {
        const other = o.which.short === "global" ? byShort.local : byShort.global;
        const note = o.which.short === "local"
          ? ` The global minimum (loss ${fmt(other.loss, 2)}) is lower, but descent cannot climb the pass to reach it.`
          : "";
        return `Fell into the ${o.which.name} at ${at(o.end)}, loss ${fmt(o.loss)} after ${o.steps} steps.${note}${lingered}`;
      }
      case "saddle":
        return `Stopped near the saddle at ${at(o.end)}, loss ${fmt(o.loss)}: the slope there is almost zero, so the steps shrank to nothing. ` +
          "In exact arithmetic a start exactly on the border would stay forever; this one is a hair off it, and every step near the saddle " +
          "multiplies that offset, so with more steps it rolls into one of the wells.";
      case "bouncing": {
        const limits = ["global", "local"].map((k) => `${fmt(2 / eigenvalues2(LANDSCAPE.hessian(byShort[k].point))[0], 2)} for the ${k} well`).join(", ");
        return `Still bouncing at ${at(o.end)}, loss ${fmt(o.loss)}: the rate is too large to settle (a well is stable for α below 2 / its steepest curvature: ${limits}).`;
      }
      case "diverged":
        return "The walk left the map: the steps are far too large.";
      default:
        return `Still on its way after ${o.steps} steps, at ${at(o.end)}, loss ${fmt(o.loss)}. ` +
          (o.gradient < 0.1 ? `The ground here is nearly flat (slope ${fmt(o.gradient, 2)}), so every step is tiny: give it more steps.` : "Give it more steps.") + lingered;
    }
  }

  let summary = "";
  function update(announceNow = false) {
    const lr = rate.value;
    const points = descend(LANDSCAPE, start, lr, steps.value);
    const o = outcome(LANDSCAPE, points);
    const visible = points.filter(([x, y]) => Math.max(Math.abs(x), Math.abs(y)) <= EXTENT * 1.2);
    path.setAttribute("d", linePath(visible, sx, sy));
    const last = visible[visible.length - 1] || start;
    endDot.setAttribute("cx", sx(last[0]));
    endDot.setAttribute("cy", sy(last[1]));
    startDot.setAttribute("cx", sx(start[0]));
    startDot.setAttribute("cy", sy(start[1]));
    summary = `From (${fmt(start[0], 4)}, ${fmt(start[1])}), α = ${fmt(lr, 2)}: ${describe(o)}`;
    readout.textContent = summary;

    let basinWords = "";
    if (showBasins) {
      const { results, counts } = basinShares(LANDSCAPE, starts, lr, steps.value);
      const cls = Object.fromEntries(OUTCOMES.map(([key, , c]) => [key, c]));
      basinDots.replaceChildren(...results.map(({ start: [x, y], key }) => s("circle", {
        cx: sx(x), cy: sy(y), r: 2.5, class: `dot ${cls[key]}${key === "global" || key === "local" ? "" : " faint"}`,
      })));
      const rows = OUTCOMES.filter(([key]) => counts[key]);
      table.replaceChildren(
        h("caption", {}, `Where ${RANDOM_STARTS} random starts end after ${steps.value} steps at α = ${fmt(lr, 2)}`),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "outcome"), h("th", { scope: "col" }, "starts"), h("th", { scope: "col" }, "share"))),
        h("tbody", {}, ...rows.map(([key, name, c]) => h("tr", {},
          h("th", { scope: "row" }, h("span", { class: `key key-${c.slice(-1)}` }, name)),
          h("td", {}, String(counts[key])),
          h("td", {}, `${Math.round((100 * counts[key]) / RANDOM_STARTS)}%`),
        ))),
      );
      basinWords = ` Of ${RANDOM_STARTS} random starts: ` +
        rows.map(([key, name]) => `${Math.round((100 * counts[key]) / RANDOM_STARTS)}% ${name}`).join(", ") + ".";
    } else {
      basinDots.replaceChildren();
    }
    table.hidden = !showBasins;
    plot.setLabel(
      "Contour map of a non-convex loss over two weights w₁ and w₂ from −3 to 3: a deep global minimum at " +
      `(${fmt(byShort.global.point[0], 2)}, ${fmt(byShort.global.point[1], 2)}), a shallower local minimum at ` +
      `(${fmt(byShort.local.point[0], 2)}, ${fmt(byShort.local.point[1], 2)}), a saddle between them at ` +
      `(${fmt(saddle[0], 2)}, ${fmt(saddle[1], 2)}), and a nearly flat plain around them. ` +
      `Arrow keys move the start (Shift for larger moves). ${summary}${basinWords}`,
    );
    live.say(summary + basinWords, { now: announceNow });
  }

  root.append(
    widgetHeading("Two valleys and a pass: where does descent end?"),
    plot.svg,
    h("p", { class: "widget-legend", "aria-hidden": "true" },
      h("span", { class: "key key-4" }, "descent path"),
      " ",
      h("span", {}, "dashed line: the border between the two basins (for small steps)")),
    readout,
    h("div", { class: "widget-controls" }, rate.root, steps.root),
    h("div", { class: "widget-controls" }, startX.root, startY.root, go, preset.root),
    h("div", { class: "widget-controls" }, basinsButton),
    table,
    h("p", { class: "widget-note", id: keysId },
      "Click or tap the map to drop a start, or focus the map and use the arrow keys. Each step is w ← w − α ∇f(w). " +
      "Random starts are coloured by where they end: blue the global minimum, orange the local one, purple anything else."),
    live.el,
  );
  update();
  live.say("", { now: true });
}

// The page's accent blue mixed into white by t (opaque, so overlapping cells leave no seams).
function tint(t) {
  const mix = (c) => Math.round(255 - t * (255 - c));
  return `rgb(${mix(0x2f)}, ${mix(0x5b)}, ${mix(0xd3)})`;
}

function clamp(v) {
  return Math.max(-EXTENT, Math.min(EXTENT, v));
}
