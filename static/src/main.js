// Entry point of static/dist/widgets.js. Finds every <figure data-widget="NAME"> the
// lesson renderer produced and mounts the matching widget into it. The figure's
// fallback <figcaption> stays in the page: it is what readers without JavaScript get,
// and it stays visible if a widget fails to mount.
//
// The registry below is parsed by tests/courses/test_widgets.py: keep one
// `"name": identifier,` entry per line.
import lossSliders from "./widgets/loss-sliders.js";
import contourPath from "./widgets/contour-path.js";
import descentStepper from "./widgets/descent-stepper.js";
import lrComparison from "./widgets/lr-comparison.js";
import optimizerRace from "./widgets/optimizer-race.js";
import backpropWalkthrough from "./widgets/backprop-walkthrough.js";
import gradientBars from "./widgets/gradient-bars.js";
import lossCurve from "./widgets/loss-curve.js";
import conditioningRace from "./widgets/conditioning-race.js";
import nonconvexLandscape from "./widgets/nonconvex-landscape.js";
import regularizationCurves from "./widgets/regularization-curves.js";
import lossCurveDoctor from "./widgets/loss-curve-doctor.js";
import activationVariance from "./widgets/activation-variance.js";

export const WIDGETS = {
  "loss-sliders": lossSliders,
  "contour-path": contourPath,
  "descent-stepper": descentStepper,
  "lr-comparison": lrComparison,
  "optimizer-race": optimizerRace,
  "backprop-walkthrough": backpropWalkthrough,
  "gradient-bars": gradientBars,
  "loss-curve": lossCurve,
  "conditioning-race": conditioningRace,
  "nonconvex-landscape": nonconvexLandscape,
  "regularization-curves": regularizationCurves,
  "loss-curve-doctor": lossCurveDoctor,
  "activation-variance": activationVariance,
};

export function mountWidget(figure) {
  const name = figure.getAttribute("data-widget");
  const mount = WIDGETS[name];
  if (!mount || figure.hasAttribute("data-widget-mounted")) return false;
  const body = document.createElement("div");
  body.className = "widget-body";
  figure.insertBefore(body, figure.querySelector("figcaption"));
  try {
    mount(body, figure);
  } catch (error) {
    // One broken widget must not take the others (or the lesson) down with it.
    body.remove();
    console.error(`widget ${name} failed to mount`, error);
    return false;
  }
  const heading = body.querySelector(".widget-title");
  if (heading) figure.setAttribute("aria-labelledby", heading.id);
  figure.setAttribute("data-widget-mounted", "");
  return true;
}

export function mountAll(root = document) {
  root.querySelectorAll("figure[data-widget]").forEach(mountWidget);
}

if (typeof document !== "undefined") {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => mountAll());
  else mountAll();
}
