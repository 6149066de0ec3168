// A submission as the API returns it -> what the result panel and the history show.
// Plain data in, plain data out, so it is tested without a DOM.
import { failingInputRows, formatPercent, formatPoints } from "./format.js";

export const STATE_TEXT = {
  queued: "Queued: waiting for a grader…",
  running: "Running the checks…",
  done: "Graded",
};

// The verdict in words comes with the submission ("headline", one list on the server:
// judge/verdicts.py; for a blocked submission, why it has none); the bare verdict is the
// fallback.
export function verdictText(submission) {
  return (submission && (submission.headline || submission.verdict)) || "";
}

/** Settled: nothing more will change without someone acting (graded, or blocked). */
export function isSettled(submission) {
  if (!submission) return false;
  if (submission.state === "blocked") return true;
  return submission.state === "done" && !submission.refining;
}

// The verdict comes first; for a failing check the smallest failing input is looked for
// afterwards (`refine` while that runs), and the panel updates when it is found.
function failingTitle(check) {
  if (check.shrunk) return "Smallest failing input";
  if (check.refine) return "Failing input (looking for a smaller one…)";
  return "Failing input";
}

function checkView(check, signature) {
  const failing = check.passed ? [] : failingInputRows(check.failing_input, signature);
  return {
    name: check.name || "check",
    passed: Boolean(check.passed),
    // Advisory: judged from what the student's own process reports, so it earns nothing;
    // a failed one is a note to read, not a failed check.
    note: Boolean(check.advisory) && !check.passed,
    scored: Boolean(check.points),
    pointsText: check.points
      ? formatPoints(check.earned || 0, check.points)
      : check.advisory ? "note · no points" : "",
    message: check.passed ? "" : check.message || "",
    failingTitle: failingTitle(check),
    failing,
    mistakeHint: check.mistake_hint || "",
    // The judge's automatic diagnosis (judge/diagnose.py): shown when no known mistake
    // matched, since the author's hint says more.
    diagnosis: !check.passed && !check.mistake_hint && check.diagnosis && typeof check.diagnosis.message === "string"
      ? check.diagnosis.message : "",
    // The diagnosis looked at the failing input first drawn; the one shown may be smaller.
    diagnosisNote: check.shrunk ? "(Seen on the first failing input found, before it was made smaller.)" : "",
    error: check.error && typeof check.error === "object" ? {
      type: check.error.type || "Error",
      message: check.error.message || "",
      traceback: check.error.traceback || "",
    } : null,
    figure: check.figure && FIGURE_KINDS.includes(check.figure.kind) ? check.figure : null,
    // A figure is drawn after the verdict; until then the row says it is coming.
    figurePending: Boolean(check.refine) && !check.figure && check.passed && !check.points,
    // A check worth nothing that draws a figure is a plot, not a check: it goes under
    // its own heading, without a ✓ that would vouch for the path it shows.
    plot: !check.points && !check.advisory && (Boolean(check.figure) || (Boolean(check.refine) && check.passed)),
  };
}

// What the checks library's Figure produces: a path over a 2-D test function with its
// loss per step ("trajectory"), or a loss per step alone ("loss_curve").
export const FIGURE_KINDS = ["trajectory", "loss_curve"];

// Exam style: before the due date the server sends a graded submission without its
// results (`results_hidden`: no verdict, score, messages, inputs or output, and only the
// checks' names). The view keeps to what was sent: received, graded, the checks' names.
const WITHHELD_TEXT = "Submitted — results are shown after the due date";

export function resultView(submission, { signature = "" } = {}) {
  const state = submission.state || "queued";
  const done = state === "done";
  const blocked = state === "blocked";
  const withheld = Boolean(submission.results_hidden);
  const shown = done && !withheld;
  const verdict = shown ? submission.verdict || "" : "";
  const rows = shown && Array.isArray(submission.checks) ? submission.checks.map((c) => checkView(c, signature)) : [];
  const checks = rows.filter((c) => !c.plot);
  const plots = rows.filter((c) => c.plot);
  const scored = checks.filter((c) => c.scored);
  const factor = Number(submission.score_factor);
  return {
    id: submission.id,
    attempt: submission.attempt,
    state,
    done,
    blocked,
    withheld: done && withheld,
    withheldText: done && withheld ? submission.headline || WITHHELD_TEXT : "",
    checkNames: done && withheld && Array.isArray(submission.checks)
      ? submission.checks.map((c) => (c && typeof c.name === "string" ? c.name : "")).filter(Boolean)
      : [],
    // "late by 1 day: 80% of the score counts" (the server's words), and what counts.
    lateNote: blocked ? "" : submission.late_note || "",
    countedText: shown && Number.isFinite(factor) && factor < 1 ? formatPercent(submission.score * factor) : "",
    // Done and still being refined: keep following it until it settles.
    refining: done && Boolean(submission.refining),
    stateText: blocked ? verdictText(submission) || state : STATE_TEXT[state] || state,
    verdict,
    passed: verdict === "passed",
    verdictText: shown ? verdictText(submission) : "",
    scoreText: shown ? formatPercent(submission.score) : "",
    message: shown || blocked ? submission.message || "" : "",
    checks,
    plots,
    checksSummary: scored.length ? `${scored.filter((c) => c.passed).length} of ${scored.length} checks passed` : "",
    stdout: shown ? submission.stdout || "" : "",
    stderr: shown ? submission.stderr || "" : "",
    hints: !withheld && Array.isArray(submission.hints) ? submission.hints : null,
    durationText: shown && Number.isFinite(submission.duration_ms) ? `graded in ${(submission.duration_ms / 1000).toFixed(1)} s` : "",
  };
}

/** The one-line announcement for screen readers as the state changes. */
export function announcement(view) {
  if (!view.done) return `Attempt ${view.attempt}: ${view.stateText}`;
  if (view.withheld) return `Attempt ${view.attempt}: ${view.withheldText}.`;
  const score = view.scoreText ? `, score ${view.scoreText}` : "";
  return `Attempt ${view.attempt}: ${view.verdictText}${score}.`;
}

export function historyView(submission) {
  const done = submission.state === "done";
  const withheld = done && Boolean(submission.results_hidden);
  return {
    id: submission.id,
    attempt: submission.attempt,
    done,
    passed: !withheld && submission.verdict === "passed",
    badgeClass: withheld ? "verdict-withheld" : `verdict-${done ? submission.verdict : submission.state}`,
    label: historyLabel(submission),
    scoreText: done && !withheld ? formatPercent(submission.score) : "",
    lateNote: submission.state === "blocked" ? "" : submission.late_note || "",
    createdAt: submission.created_at || "",
    createdAtText: submission.created_at_text || "",
  };
}

function historyLabel(submission) {
  if (submission.state === "done" && submission.results_hidden) return "Submitted";
  if (submission.state === "done") {
    return `${submission.verdict === "passed" ? "✓" : "✗"} ${verdictText(submission)}`;
  }
  if (submission.state === "blocked") return verdictText(submission) || "blocked";
  return `${capitalize(submission.state || "queued")}…`;
}

function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The hints newly unlocked by a result: those past the ones already on the page. */
export function newHints(hints, shownCount) {
  if (!Array.isArray(hints)) return [];
  return hints.slice(shownCount);
}
