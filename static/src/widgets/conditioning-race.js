// Lesson 7: a quadratic valley with curvatures 1 (floor) and kappa (walls), turned by an
// angle. Plain descent, tuned heavy-ball momentum and Adam race from the same start until
// the loss stays below 0.001. Descent and momentum do not care about the angle; Adam's
// per-coordinate scaling only straightens the valley when its axes are the coordinate axes.
import { h, s, slider, button, liveRegion, svgFigure, fmt, widgetHeading } from "../lib/dom.js";
import { linear, log10Scale, linePath, axes, ticks } from "../lib/plot.js";
import { race, gradientDescentFactor, heavyBallFactor, largestStableRate, LOSS_THRESHOLD } from "../math/conditioning.js";

const SIZE = 360;
const PAD = 10;
const EXTENT = 3;
const LEVELS = [0.02, 0.1, 0.3, 0.7, 1.5, 3, 5, 8, 12];
const KAPPAS = [1, 1.5, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100];
const MAX_STEPS = 400;
const LOSS_W = 380;
const LOSS_H = 200;
const LOSS_BOX = { left: 44, right: LOSS_W - 10, top: 10, bottom: LOSS_H - 36 };
const LOSS_RANGE = [1e-4, 1e3];
const RACER_KINDS = [
  { key: "gd", name: "Plain descent", cls: "series-1" },
  { key: "momentum", name: "Momentum", cls: "series-2" },
  { key: "adam", name: "Adam", cls: "series-3" },
];

const superscript = (n) => String(n).replace("-", "⁻").replace(/\d/g, (d) => "⁰¹²³⁴⁵⁶⁷⁸⁹"[d]);

function settingsText(key, settings) {
  if (key === "gd") return `α = ${fmt(settings.gd.lr, 3)}`;
  if (key === "momentum") return `α = ${fmt(settings.momentum.lr, 3)}, β = ${fmt(settings.momentum.beta, 3)}`;
  return `α = ${settings.adam.lr}`;
}

export default function mount(root) {
  const live = liveRegion();
  // Each mounted copy keeps its own SVG nodes per racer.
  const RACERS = RACER_KINDS.map((kind) => ({ ...kind }));

  // The map: contours of the valley, the coordinate axes, the three paths.
  const sx = linear([-EXTENT, EXTENT], [PAD, SIZE - PAD]);
  const sy = linear([-EXTENT, EXTENT], [SIZE - PAD, PAD]);
  const unit = sx(1) - sx(0);
  const map = svgFigure({ width: SIZE, height: SIZE, label: "", className: "widget-plot-square" });
  const contours = s("g", { class: "contours", "aria-hidden": "true" });
  const floorLine = s("line", { class: "marker-line", "aria-hidden": "true" });
  const frame = s("g", { "aria-hidden": "true" },
    s("line", { x1: sx(-EXTENT), x2: sx(EXTENT), y1: sy(0), y2: sy(0), class: "grid" }),
    s("line", { x1: sx(0), x2: sx(0), y1: sy(-EXTENT), y2: sy(EXTENT), class: "grid" }),
    s("text", { x: SIZE - PAD - 2, y: sy(0) - 6, class: "tick", "text-anchor": "end" }, "θ₁"),
    s("text", { x: sx(0) + 6, y: PAD + 12, class: "tick" }, "θ₂"),
  );
  const startDot = s("circle", { r: 6, class: "start" });
  map.svg.append(contours, frame, floorLine);
  for (const r of RACERS) {
    r.path = s("path", { class: `series ${r.cls} path` });
    r.dot = s("circle", { r: 4.5, class: `dot ${r.cls}` });
    map.svg.append(r.path);
  }
  map.svg.append(s("circle", { cx: sx(0), cy: sy(0), r: 3, class: "minimum" }), startDot, ...RACERS.map((r) => r.dot));

  // Loss against step, on a log scale: a constant factor per step is a straight line.
  const lossPlot = svgFigure({ width: LOSS_W, height: LOSS_H, label: "" });
  const ly = log10Scale(LOSS_RANGE, [LOSS_BOX.bottom, LOSS_BOX.top]);
  const lossAxes = s("g");
  const thresholdLine = s("line", { x1: LOSS_BOX.left, x2: LOSS_BOX.right, y1: ly(LOSS_THRESHOLD), y2: ly(LOSS_THRESHOLD), class: "marker-line stop", "aria-hidden": "true" });
  lossPlot.svg.append(lossAxes, thresholdLine);
  for (const r of RACERS) {
    r.curve = s("path", { class: `series ${r.cls}` });
    lossPlot.svg.append(r.curve);
  }

  const kappa = slider({
    label: "Condition number κ (how much steeper the walls are than the floor)",
    min: 0, max: KAPPAS.length - 1, step: 1, value: KAPPAS.length - 1,
    format: (i) => `κ = ${KAPPAS[i]}`, onInput: () => recompute(true), name: "kappa",
  });
  const angle = slider({
    label: "Angle of the valley to the θ₁ axis",
    min: 0, max: 90, step: 5, value: 0,
    format: (v) => `${v}°`, onInput: () => recompute(true), name: "angle",
  });
  const play = button("Replay the race", () => (timer ? stop(true) : start()));
  const readout = h("p", { class: "widget-readout-line" });
  const table = h("table", { class: "widget-table" });

  let current = null; // the race for the sliders' values
  let end = 0; // the last step any racer takes
  let k = 0; // the step shown
  let timer = null;

  function recompute(fromSlider) {
    stop(false);
    current = race(KAPPAS[kappa.value], angle.value, { maxSteps: MAX_STEPS });
    end = Math.max(...RACERS.map((r) => current.runs[r.key].path.length - 1));
    k = end;
    drawMap();
    drawLossAxes();
    draw();
    if (fromSlider) live.say(summary());
  }

  function drawMap() {
    const { problem } = current;
    const turn = `rotate(${(-problem.angleDeg).toFixed(3)} ${sx(0)} ${sy(0)})`;
    contours.replaceChildren(...LEVELS.map((c) => s("ellipse", {
      cx: sx(0), cy: sy(0),
      rx: Math.sqrt(2 * c / problem.lambdaMin) * unit,
      ry: Math.sqrt(2 * c / problem.lambdaMax) * unit,
      transform: turn, class: "contour",
    })));
    setLine(floorLine, { x1: sx(-EXTENT * 1.5), x2: sx(EXTENT * 1.5), y1: sy(0), y2: sy(0), transform: turn });
    startDot.setAttribute("cx", sx(problem.start[0]));
    startDot.setAttribute("cy", sy(problem.start[1]));
  }

  let lx = null;
  function drawLossAxes() {
    const span = Math.max(10, end);
    const xTicks = ticks(0, span, 4);
    const xMax = Math.max(span, xTicks[xTicks.length - 1]);
    lx = linear([0, xMax], [LOSS_BOX.left, LOSS_BOX.right]);
    const yTicks = [-4, -2, 0, 2].map((e) => 10 ** e);
    lossAxes.replaceChildren(axes({
      sx: lx, sy: ly, box: LOSS_BOX, xTicks, yTicks, xLabel: "step", yLabel: "loss",
      yFormat: (v) => `10${superscript(Math.round(Math.log10(v)))}`,
    }));
  }

  function draw() {
    const { runs } = current;
    for (const r of RACERS) {
      const run = runs[r.key];
      const upTo = Math.min(k, run.path.length - 1);
      r.path.setAttribute("d", linePath(run.path.slice(0, upTo + 1), sx, sy));
      const [x, y] = run.path[upTo];
      r.dot.setAttribute("cx", sx(clamp(x)));
      r.dot.setAttribute("cy", sy(clamp(y)));
      const points = run.losses.slice(0, upTo + 1).map((v, i) => [i, Math.min(LOSS_RANGE[1], Math.max(LOSS_RANGE[0], v))]);
      r.curve.setAttribute("d", linePath(points, lx, ly));
    }
    readout.textContent = describeValley();
    table.replaceChildren(
      h("caption", {}, k === end ? "Race finished" : `Step ${k}`),
      h("thead", {}, h("tr", {}, ...["optimizer", "settings", `steps until loss stays < ${LOSS_THRESHOLD}`, "loss now"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, ...RACERS.map((r) => {
        const run = runs[r.key];
        const upTo = Math.min(k, run.path.length - 1);
        const done = run.reached !== null && run.reached <= k;
        return h("tr", {},
          h("th", { scope: "row" }, h("span", { class: `key key-${r.cls.slice(-1)}` }, r.name)),
          h("td", {}, settingsText(r.key, current.settings)),
          h("td", {}, run.reached === null ? `not within ${MAX_STEPS}` : done ? String(run.reached) : "racing"),
          h("td", {}, fmt(run.losses[upTo])),
        );
      })),
    );
    map.setLabel(`Contour map of the valley, ${describeValley()} Paths from the start to a loss below ${LOSS_THRESHOLD}: ${summary()}`);
    lossPlot.setLabel(`Loss against step on a log scale, down to the threshold ${LOSS_THRESHOLD}. ${summary()}`);
  }

  function describeValley() {
    const { problem } = current;
    const [[a, b], [, c]] = problem.H;
    const kap = problem.kappa;
    return `κ = ${kap}, turned ${problem.angleDeg}°: H = [[${fmt(a)}, ${fmt(b)}], [${fmt(b)}, ${fmt(c)}]], eigenvalues ${kap} and 1. ` +
      `Plain descent is stable below 2/λmax = ${fmt(largestStableRate(problem.lambdaMax))}; ` +
      `predicted shrink per step: ${fmt(gradientDescentFactor(kap))} for descent, ${fmt(heavyBallFactor(kap))} for tuned momentum.`;
  }

  function summary() {
    const { problem, runs } = current;
    const counts = RACERS.map((r) => `${r.name} ${runs[r.key].reached === null ? `not within ${MAX_STEPS}` : runs[r.key].reached}`);
    return `κ = ${problem.kappa}, angle ${problem.angleDeg}°: steps until the loss stays below ${LOSS_THRESHOLD}: ${counts.join(", ")}.`;
  }

  function start() {
    k = 0;
    draw();
    play.textContent = "Pause";
    const perTick = Math.max(1, Math.ceil(end / 90));
    timer = setInterval(() => {
      k = Math.min(end, k + perTick);
      draw();
      if (k >= end) stop(true);
    }, 45);
  }

  function stop(announceNow) {
    if (timer) { clearInterval(timer); timer = null; }
    play.textContent = "Replay the race";
    if (announceNow) live.say(summary(), { now: true });
  }

  recompute(false);
  root.append(
    widgetHeading("Conditioning race: plain descent, momentum and Adam"),
    h("div", { class: "widget-controls" }, kappa.root, angle.root, play),
    map.svg,
    readout,
    lossPlot.svg,
    table,
    h("p", { class: "widget-note" },
      "The valley is f = ½ θᵀHθ with curvature 1 along its floor (dashed line) and κ across it; a racer finishes once its loss is below 0.001 for the rest of the 400 steps (a dip that comes back out does not count). " +
      "Plain descent uses α = 2/(λmax + λmin). Momentum (v ← βv + g, θ ← θ − αv) uses the ideal α and β for these two curvatures, which a real problem never hands you. " +
      `Adam keeps α = ${current.settings.adam.lr} (β₁ = 0.9, β₂ = 0.999) throughout. Try κ = 100 at 0° and then at 45°.`),
    live.el,
  );
}

function clamp(v) {
  return Math.max(-EXTENT, Math.min(EXTENT, v));
}

function setLine(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
}
