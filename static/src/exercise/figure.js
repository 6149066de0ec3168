// A trajectory figure as plain SVG: contour lines of the test function with the
// reference path (dashed, squares) and the student's (solid, dots) over it, and the loss
// per step for both. The words in trajectoryModel stand in for the picture: each SVG has
// a <title>, and the numbers are in a table under it.
import { h, s, uid } from "../lib/dom.js";
import { axes, linear, linePath, log10Scale, ticks } from "../lib/plot.js";
import { contours } from "./contour.js";
import { formatNumber } from "./format.js";
import { pointText, trajectoryModel } from "./trajectory.js";

const MAP = { width: 340, height: 300, pad: 8 };
const CURVE = { width: 340, height: 210, box: { left: 52, right: 330, top: 10, bottom: 170 } };

function svgImage({ width, height, title, className }) {
  const id = uid("plot-title");
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": id, class: className, preserveAspectRatio: "xMidYMid meet" });
  svg.append(s("title", { id }, title));
  return svg;
}

function drawPath(points, sx, sy, kind) {
  const g = s("g", { class: `traj traj-${kind}`, "aria-hidden": "true" });
  const visible = points.filter(Boolean);
  g.append(s("path", { d: linePath(points.map((p) => p || [NaN, NaN]), sx, sy), class: "traj-line" }));
  visible.forEach((p, i) => {
    const x = sx(p[0]), y = sy(p[1]);
    if (kind === "reference") g.append(s("rect", { x: x - 2.5, y: y - 2.5, width: 5, height: 5, class: "traj-marker" }));
    else g.append(s("circle", { cx: x, cy: y, r: i === visible.length - 1 ? 4 : 2.5, class: "traj-marker" }));
  });
  return g;
}

function mapSvg(model) {
  const { x, y } = model.extent;
  // Keep one unit the same length on both axes, so a valley looks as narrow as it is.
  const inner = { w: MAP.width - 2 * MAP.pad, h: MAP.height - 2 * MAP.pad };
  const unit = Math.min(inner.w / (x[1] - x[0]), inner.h / (y[1] - y[0]));
  const cx = (x[0] + x[1]) / 2, cy = (y[0] + y[1]) / 2;
  const half = { x: inner.w / unit / 2, y: inner.h / unit / 2 };
  const xr = [cx - half.x, cx + half.x], yr = [cy - half.y, cy + half.y];
  const sx = linear(xr, [MAP.pad, MAP.width - MAP.pad]);
  const sy = linear(yr, [MAP.height - MAP.pad, MAP.pad]);
  const svg = svgImage({ width: MAP.width, height: MAP.height, title: `${model.title}. ${model.summary}`, className: "figure-map" });
  const clipId = uid("clip");
  svg.append(s("defs", null, s("clipPath", { id: clipId }, s("rect", { x: MAP.pad, y: MAP.pad, width: inner.w, height: inner.h }))));
  const body = s("g", { "clip-path": `url(#${clipId})` });
  body.append(s("rect", { x: MAP.pad, y: MAP.pad, width: inner.w, height: inner.h, class: "map-bg", "aria-hidden": "true" }));
  if (model.f) {
    const rings = s("g", { class: "contours", "aria-hidden": "true" });
    for (const { segments } of contours(model.f, xr, yr, { nx: 64, ny: 56, count: 12 })) {
      let d = "";
      for (const [[x1, y1], [x2, y2]] of segments) d += `M${sx(x1).toFixed(1)},${sy(y1).toFixed(1)}L${sx(x2).toFixed(1)},${sy(y2).toFixed(1)}`;
      if (d) rings.append(s("path", { d, class: "contour" }));
    }
    body.append(rings);
  }
  body.append(drawPath(model.reference, sx, sy, "reference"), drawPath(model.student, sx, sy, "student"));
  const start = model.reference[0] || model.student[0];
  if (start) body.append(s("text", { x: sx(start[0]) + 6, y: sy(start[1]) - 6, class: "map-label", "aria-hidden": "true" }, "start"));
  svg.append(body, s("rect", { x: MAP.pad, y: MAP.pad, width: inner.w, height: inner.h, class: "map-frame", "aria-hidden": "true" }));
  return svg;
}

function curveSvg(model) {
  const { box } = CURVE;
  const steps = Math.max(model.studentLoss.length, model.referenceLoss.length, 2) - 1;
  const values = [...model.studentLoss, ...model.referenceLoss].filter((v) => v !== null);
  const svg = svgImage({ width: CURVE.width, height: CURVE.height, title: model.lossSummary, className: "figure-curve" });
  if (!values.length) return svg;
  let lo = Math.min(...values), hi = Math.max(...values);
  if (hi === lo) { hi = lo + 1; lo = Math.max(0, lo - 1); }
  const sx = linear([0, steps], [box.left, box.right]);
  let sy, yTicks, yFormat = (v) => formatNumber(v);
  if (model.logLoss) {
    const d0 = 10 ** Math.floor(Math.log10(lo)), d1 = 10 ** Math.ceil(Math.log10(hi));
    sy = log10Scale([d0, d1], [box.bottom, box.top]);
    yTicks = [];
    for (let e = Math.log10(d0); e <= Math.log10(d1); e += Math.max(1, Math.round((Math.log10(d1) - Math.log10(d0)) / 4))) yTicks.push(10 ** e);
    yFormat = (v) => `1e${Math.round(Math.log10(v))}`;
  } else {
    const lo0 = Math.min(0, lo);
    sy = linear([lo0, hi], [box.bottom, box.top]);
    yTicks = ticks(lo0, hi, 4);
  }
  svg.append(axes({ sx, sy, box, xTicks: ticks(0, steps, 5).filter(Number.isInteger), yTicks, xLabel: "step", yLabel: "loss", xFormat: String, yFormat }));
  const clip = (list) => list.map((v, k) => [k, v === null ? NaN : v]);
  svg.append(
    s("path", { d: linePath(clip(model.referenceLoss), sx, sy), class: "curve curve-reference", "aria-hidden": "true" }),
    s("path", { d: linePath(clip(model.studentLoss), sx, sy), class: "curve curve-student", "aria-hidden": "true" }),
  );
  return svg;
}

function legend() {
  return h("ul", { class: "figure-legend" },
    h("li", { class: "legend-student" }, h("span", { class: "legend-swatch", "aria-hidden": "true" }), "your path (solid, dots)"),
    h("li", { class: "legend-reference" }, h("span", { class: "legend-swatch", "aria-hidden": "true" }), "reference (dashed, squares)"),
  );
}

function dataTable(model) {
  const cell = (v) => (v === null ? "—" : formatNumber(Number(v.toPrecision(5))));
  const table = h("table", { class: "figure-table" },
    h("caption", null, "Each step's point and loss"),
    h("thead", null, h("tr", null,
      h("th", { scope: "col" }, "step"), h("th", { scope: "col" }, "your point"), h("th", { scope: "col" }, "your loss"),
      h("th", { scope: "col" }, "reference point"), h("th", { scope: "col" }, "reference loss"))),
    h("tbody", null, ...model.rows.map((r) => h("tr", null,
      h("th", { scope: "row" }, String(r.step)),
      h("td", null, r.student ? pointText(r.student) : "—"), h("td", null, cell(r.studentLoss)),
      h("td", null, r.reference ? pointText(r.reference) : "—"), h("td", null, cell(r.referenceLoss))))),
  );
  return h("details", { class: "figure-data" }, h("summary", null, "Show the numbers"), h("div", { class: "table-scroll" }, table));
}

export function renderTrajectory(figure) {
  const model = trajectoryModel(figure);
  const root = h("figure", { class: "trajectory-figure" });
  root.append(h("figcaption", null, h("strong", null, model.title), model.surfaceName ? ` (contours of the ${model.surfaceName})` : "", h("span", { class: "figure-summary" }, model.summary)));
  if (model.extent) {
    root.append(legend(), h("div", { class: "figure-plots" }, mapSvg(model), curveSvg(model)));
  } else if (model.referenceLoss.length || model.studentLoss.length) {
    // A loss curve alone (e.g. linear regression's epochs): no map to draw.
    root.append(legend(), h("div", { class: "figure-plots" }, curveSvg(model)));
  }
  root.append(dataTable(model));
  return root;
}
