// Lesson 13: ridge regression on degree-9 polynomial features, fitted for real in the
// browser on seeded noisy samples of a smooth curve. Sliders set the L2 penalty λ (on a
// log scale) and the number of training examples; one plot shows the fitted curve over
// the training points, the other the training and validation error across a whole grid
// of λ values, with the current λ marked.
import { h, s, slider, liveRegion, svgFigure, fmt, widgetHeading, uid } from "../lib/dom.js";
import { linear, log10Scale, linePath, axes, ticks } from "../lib/plot.js";
import {
  DEGREE, NOISE, X_RANGE, MAX_TRAIN, DEFAULT_TRAIN, LOG_LAMBDAS, TRAIN_POOL, VALIDATION, trueFunction, firstN, fitRidge, mse, lambdaSweep, bestLambda,
} from "../math/regularization.js";

const W = 320;
const H = 240;
const FIT_BOX = { left: 38, right: W - 10, top: 10, bottom: H - 40 };
const ERR_BOX = { left: 62, right: W - 10, top: 10, bottom: H - 40 };
const Y_RANGE = [-2.5, 2.5];
const MSE_RANGE = [1e-3, 10];
const CURVE_XS = Array.from({ length: 241 }, (_, i) => X_RANGE[0] + ((X_RANGE[1] - X_RANGE[0]) * i) / 240);

function clipped(box) {
  const id = uid("clip");
  const def = s("clipPath", { id }, s("rect", { x: box.left, y: box.top, width: box.right - box.left, height: box.bottom - box.top }));
  return { def, ref: `url(#${id})` };
}

export default function mount(root) {
  const live = liveRegion();

  // Fitted curve over the data.
  const fitPlot = svgFigure({ width: W, height: H, label: "" });
  const fx = linear(X_RANGE, [FIT_BOX.left, FIT_BOX.right]);
  const fy = linear(Y_RANGE, [FIT_BOX.bottom, FIT_BOX.top]);
  const fitClip = clipped(FIT_BOX);
  const fitCurve = s("path", { class: "series series-1", "clip-path": fitClip.ref });
  const trainDots = s("g");
  fitPlot.svg.append(
    s("defs", {}, fitClip.def),
    axes({ sx: fx, sy: fy, box: FIT_BOX, xTicks: [-1, -0.5, 0, 0.5, 1], yTicks: [-2, -1, 0, 1, 2], xLabel: "x", yLabel: "y", xFormat: (v) => fmt(v), yFormat: (v) => fmt(v) }),
    s("path", { d: linePath(CURVE_XS.map((x) => [x, trueFunction(x)]), fx, fy), class: "series series-2", "stroke-dasharray": "5 4", "aria-hidden": "true" }),
    trainDots,
    fitCurve,
  );

  // Training and validation error against λ.
  const errPlot = svgFigure({ width: W, height: H, label: "" });
  const ex = linear([LOG_LAMBDAS[0], LOG_LAMBDAS[LOG_LAMBDAS.length - 1]], [ERR_BOX.left, ERR_BOX.right]);
  const ey = log10Scale(MSE_RANGE, [ERR_BOX.bottom, ERR_BOX.top]);
  const errClip = clipped(ERR_BOX);
  const errChart = s("g");
  errPlot.svg.append(
    s("defs", {}, errClip.def),
    axes({
      sx: ex, sy: ey, box: ERR_BOX, xTicks: [-8, -5, -2, 1], yTicks: [1e-3, 1e-2, 1e-1, 1, 10],
      xLabel: "penalty λ (log scale)", yLabel: "mean squared error", xFormat: (v) => fmt(10 ** v), yFormat: (v) => fmt(v),
    }),
    s("line", { x1: ERR_BOX.left, x2: ERR_BOX.right, y1: ey(NOISE ** 2), y2: ey(NOISE ** 2), class: "marker-line", "aria-hidden": "true" }),
    s("text", { x: ERR_BOX.left + 4, y: ey(NOISE ** 2) - 5, class: "tick", "aria-hidden": "true" }, `noise σ² = ${fmt(NOISE ** 2)}`),
    errChart,
  );

  const lambdaSlider = slider({
    label: "Penalty λ", min: LOG_LAMBDAS[0], max: LOG_LAMBDAS[LOG_LAMBDAS.length - 1], step: 0.1, value: -6, name: "lambda",
    format: (v) => fmt(10 ** v, 2), onInput: () => draw(false),
  });
  const nSlider = slider({
    label: "Training examples", min: 10, max: MAX_TRAIN, step: 1, value: DEFAULT_TRAIN, format: String, name: "examples",
    onInput: () => draw(true),
  });
  const readout = h("p", { class: "widget-readout-line" });

  let sweep = null;
  let sweepN = 0;

  function draw(dataChanged) {
    const n = nSlider.value;
    const logLambda = lambdaSlider.value;
    const train = firstN(TRAIN_POOL, n);
    if (dataChanged || !sweep || sweepN !== n) { sweep = lambdaSweep(train, VALIDATION); sweepN = n; }
    const model = fitRidge(train, 10 ** logLambda);
    const trainErr = mse(model, train);
    const valErr = mse(model, VALIDATION);
    const best = bestLambda(sweep);

    fitCurve.setAttribute("d", linePath(CURVE_XS.map((x) => [x, model.predict(x)]), fx, fy));
    trainDots.replaceChildren(...train.x.map((x, i) => s("circle", {
      cx: fx(x), cy: fy(Math.max(Y_RANGE[0], Math.min(Y_RANGE[1], train.y[i]))), r: n > 60 ? 2.5 : 3.5, class: "dot series-3",
    })));

    const cx = ex(logLambda);
    errChart.replaceChildren(
      s("path", { d: linePath(sweep.map((r) => [r.logLambda, r.train]), ex, ey), class: "series series-1", "clip-path": errClip.ref }),
      s("path", { d: linePath(sweep.map((r) => [r.logLambda, r.validation]), ex, ey), class: "series series-2", "clip-path": errClip.ref }),
      s("line", { x1: ex(best.logLambda), x2: ex(best.logLambda), y1: ey(best.validation) + 6, y2: ERR_BOX.bottom, class: "grid", "aria-hidden": "true" }),
      s("text", { x: ex(best.logLambda), y: ERR_BOX.bottom - 4, class: "tick", "text-anchor": "middle", "aria-hidden": "true" }, "best"),
      s("line", { x1: cx, x2: cx, y1: ERR_BOX.top, y2: ERR_BOX.bottom, class: "marker-line stop" }),
      ...[[trainErr, "series-1"], [valErr, "series-2"]]
        .filter(([v]) => v >= MSE_RANGE[0] && v <= MSE_RANGE[1])
        .map(([v, cls]) => s("circle", { cx, cy: ey(v), r: 4.5, class: `dot ${cls}` })),
    );

    const ratio = valErr / best.validation;
    let verdict;
    if (ratio < 1.25) verdict = "Close to the best λ for this data: the curve follows the true function and ignores most of the noise.";
    else if (logLambda < best.logLambda) {
      verdict = `Overfitting: the curve bends to pass near every training point, so the training error is low and the validation error is ${fmt(valErr / trainErr, 2)} times as large.`;
    } else {
      verdict = "Underfitting: the penalty holds the weights so small that the curve flattens out, and both errors are high.";
    }
    const words = `λ = ${fmt(10 ** logLambda, 2)}, ${n} training examples: training MSE ${fmt(trainErr)}, validation MSE ${fmt(valErr)}. ${verdict} ` +
      `Best λ on the grid for these ${n} examples: ${fmt(best.lambda, 2)}, validation MSE ${fmt(best.validation)}.`;
    readout.textContent = words;
    fitPlot.setLabel(`Degree-${DEGREE} ridge fit (solid) to ${n} noisy training points, with the true curve sin(3x) + 0.3x dashed. ${words}`);
    errPlot.setLabel(`Training and validation mean squared error for λ from 1e−8 to 10 on a log scale; the current λ is marked. ` +
      `At the smallest λ: training ${fmt(sweep[0].train)}, validation ${fmt(sweep[0].validation)}. At the largest: training ` +
      `${fmt(sweep[sweep.length - 1].train)}, validation ${fmt(sweep[sweep.length - 1].validation)}.`);
    live.say(words);
  }

  root.append(
    widgetHeading("Ridge regression: the penalty and the amount of data"),
    h("div", { class: "widget-controls" }, lambdaSlider.root, nSlider.root),
    h("div", { class: "widget-grid" },
      h("div", { class: "widget-panel" },
        h("h4", { class: "widget-subtitle" }, "The fit"),
        fitPlot.svg,
        h("p", { class: "widget-legend", "aria-hidden": "true" },
          h("span", { class: "key key-1" }, "fitted curve"), " ", h("span", { class: "key key-2" }, "true curve (dashed)"), " ", h("span", { class: "key key-3" }, "training points"))),
      h("div", { class: "widget-panel" },
        h("h4", { class: "widget-subtitle" }, "Error against λ"),
        errPlot.svg,
        h("p", { class: "widget-legend", "aria-hidden": "true" },
          h("span", { class: "key key-1" }, "training MSE"), " ", h("span", { class: "key key-2" }, "validation MSE"), " ", "red line: current λ"))),
    readout,
    h("p", { class: "widget-note" },
      `The model is ŷ = b + Σ wⱼ zⱼ(x) with zⱼ the powers x¹…x⁹ standardized on the training set; it minimizes ` +
      `(1/n) Σ (ŷ − y)² + λ Σ wⱼ² (the intercept b is not penalized), solved exactly from (ZᵀZ + nλI) w = Zᵀ(y − ȳ). ` +
      `The data are y = sin(3x) + 0.3x plus noise of standard deviation ${NOISE}; the validation set is ${VALIDATION.x.length} fresh points. ` +
      "No model can beat the noise, so the validation error cannot fall much below σ²."),
    live.el,
  );
  draw(true);
  live.say("", { now: true });
}
