// The view model of a "trajectory" figure: the two paths, the extent to draw, the loss
// curves and the words that stand in for the picture (SVG <title> and the data table).
import { formatNumber } from "./format.js";
import { surfaceFunction, surfaceLabel } from "./surfaces.js";

function cleanPath(side) {
  const path = side && Array.isArray(side.path) ? side.path : [];
  return path.map((p) =>
    Array.isArray(p) && p.length >= 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]) ? [p[0], p[1]] : null,
  );
}

function cleanLoss(side) {
  const loss = side && Array.isArray(side.loss) ? side.loss : [];
  return loss.map((v) => (typeof v === "number" && Number.isFinite(v) ? v : null));
}

function lastFinite(list) {
  for (let i = list.length - 1; i >= 0; i -= 1) if (list[i] !== null) return { index: i, value: list[i] };
  return null;
}

function bounds(points) {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return { x: [Math.min(...xs), Math.max(...xs)], y: [Math.min(...ys), Math.max(...ys)] };
}

/**
 * The region to draw: the reference path padded by 20 % (and at least 0.5 each way), grown
 * to take in the student's path unless it runs far away (a diverging optimizer), in which
 * case the plot stays on the reference and says the path left it.
 */
export function plotExtent(reference, student) {
  const ref = reference.filter(Boolean);
  const mine = student.filter(Boolean);
  const base = ref.length ? ref : mine;
  if (!base.length) return null;
  let { x, y } = bounds(base);
  const grow = (r) => {
    const pad = Math.max(0.5, (r[1] - r[0]) * 0.2);
    return [r[0] - pad, r[1] + pad];
  };
  x = grow(x);
  y = grow(y);
  if (ref.length && mine.length) {
    const limitX = (x[1] - x[0]) * 3;
    const limitY = (y[1] - y[0]) * 3;
    const near = mine.filter((p) => p[0] > x[0] - limitX && p[0] < x[1] + limitX && p[1] > y[0] - limitY && p[1] < y[1] + limitY);
    if (near.length) {
      const b = bounds(near);
      x = [Math.min(x[0], b.x[0] - 0.1 * (x[1] - x[0])), Math.max(x[1], b.x[1] + 0.1 * (x[1] - x[0]))];
      y = [Math.min(y[0], b.y[0] - 0.1 * (y[1] - y[0])), Math.max(y[1], b.y[1] + 0.1 * (y[1] - y[0]))];
    }
  }
  return { x, y };
}

export function pointText(p) {
  return p ? `(${formatNumber(Number(p[0].toPrecision(4)))}, ${formatNumber(Number(p[1].toPrecision(4)))})` : "nowhere (not a number)";
}

function ending(path, loss, who) {
  const steps = Math.max(0, path.length - 1);
  const end = path.length ? path[path.length - 1] : null;
  const last = loss.length ? loss[loss.length - 1] : null;
  const lossText = last === null ? "" : `, loss ${formatNumber(Number(last.toPrecision(4)))}`;
  return `${who} ends at ${pointText(end)} after ${steps} step${steps === 1 ? "" : "s"}${lossText}`;
}

export function trajectoryModel(figure) {
  const reference = cleanPath(figure.reference);
  const student = cleanPath(figure.student);
  const referenceLoss = cleanLoss(figure.reference);
  const studentLoss = cleanLoss(figure.student);
  const extent = plotExtent(reference, student);
  const f = surfaceFunction(figure.surface);
  const inside = (p) => p && extent && p[0] >= extent.x[0] && p[0] <= extent.x[1] && p[1] >= extent.y[0] && p[1] <= extent.y[1];
  const studentLeaves = student.some((p) => p && !inside(p)) || student.some((p) => p === null);
  // Why there is nothing of the student's to draw: an exception of their code, or the
  // grader refusing results too large to look at (student_problem says which).
  const why = figure.student_problem
    ? ` (${figure.student_problem})`
    : figure.student_error ? ` (your code raised ${figure.student_error})` : "";
  let summary;
  if (figure.kind === "loss_curve") {
    summary = figure.student && studentLoss.length
      ? lossSummary(studentLoss, referenceLoss)
      : `Your code produced no loss curve to plot${why}. ${lossSummary([], referenceLoss)}`;
  } else if (!figure.student || !student.length) {
    summary = `Your code produced no path to plot${why}. ${ending(reference, referenceLoss, "The reference")}.`;
  } else {
    summary = `${ending(student, studentLoss, "Your path")}; ${ending(reference, referenceLoss, "the reference")}.`;
    if (studentLeaves) summary += " Your path leaves the plotted area.";
  }
  const surfaceName = surfaceLabel(figure.surface);
  const steps = Math.max(reference.length, student.length, referenceLoss.length, studentLoss.length);
  const rows = Array.from({ length: steps }, (_, k) => ({
    step: k,
    student: student[k] || null,
    reference: reference[k] || null,
    studentLoss: studentLoss[k] ?? null,
    referenceLoss: referenceLoss[k] ?? null,
  }));
  const allLoss = [...studentLoss, ...referenceLoss].filter((v) => v !== null);
  const positive = allLoss.length > 0 && allLoss.every((v) => v > 0);
  const logLoss = positive && Math.max(...allLoss) / Math.min(...allLoss) > 100;
  return {
    title: figure.title || "Your path against the reference",
    surfaceName,
    f,
    extent,
    reference,
    student,
    referenceLoss,
    studentLoss,
    logLoss,
    summary,
    lossSummary: lossSummary(studentLoss, referenceLoss),
    rows,
    studentLeaves,
  };
}

function lossSummary(mine, ref) {
  const m = lastFinite(mine);
  const r = lastFinite(ref);
  const text = (x) => formatNumber(Number(x.value.toPrecision(4)));
  if (!m && !r) return "No loss values to plot.";
  if (!m) return `Loss per step: the reference ends at ${text(r)} after ${r.index} steps; your run has no finite loss.`;
  if (!r) return `Loss per step: yours ends at ${text(m)} after ${m.index} steps.`;
  return `Loss per step: yours ends at ${text(m)} after ${m.index} steps, the reference at ${text(r)} after ${r.index}.`;
}
