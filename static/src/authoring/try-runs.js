// The Try-it answer (the exercise's reference, starter and known mistakes, and the
// author's pasted code, each graded) as rows for the table. No DOM.

export const TRY_STATE_TEXT = {
  queued: "Waiting for a grader…",
  running: "Grading…",
  done: "Done.",
  failed: "The try failed.",
};

export function isTryFinished(answer) {
  return Boolean(answer) && (answer.state === "done" || answer.state === "failed");
}

const MISTAKE = /^mistake:\s*/;

/**
 * What the author should expect of a run, and whether it came out that way: the reference
 * passes, the starter does not, a known mistake fails and is recognised by its own hint.
 * Pasted code has no expectation ({ok: null}).
 */
export function runExpectation(run) {
  const label = String(run.label || "");
  const passed = run.verdict === "passed";
  if (label === "reference") {
    return passed ? { ok: true, note: "passes, as it must" } : { ok: false, note: "the reference must pass every check" };
  }
  if (label === "starter") {
    return passed ? { ok: false, note: "the starter passes: students would get the points for nothing" } : { ok: true, note: "does not pass, as expected" };
  }
  if (MISTAKE.test(label)) {
    const title = label.replace(MISTAKE, "");
    if (passed) return { ok: false, note: "passes: no check catches this mistake" };
    if (!run.hint) return { ok: false, note: "fails, but students would get no hint for it" };
    if (run.hint !== title) return { ok: false, note: `fails, but the hint given is "${run.hint}"` };
    return { ok: true, note: "caught, with its own hint" };
  }
  return { ok: null, note: "" };
}

/** "12 ms", "1.3 s", or a dash when the run has no time. */
export function formatMs(ms) {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

/** A score from 0 to 1 as a percentage, "–" when there is none. */
export function formatScore(score) {
  if (typeof score !== "number" || !Number.isFinite(score)) return "–";
  const percent = Math.max(0, Math.min(1, score)) * 100;
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)}%`;
}

/** "3 of 4 checks passed". */
export function checksSummary(checks) {
  const list = Array.isArray(checks) ? checks : [];
  if (!list.length) return "No checks ran";
  const passed = list.filter((c) => c && c.passed).length;
  return `${passed} of ${list.length} check${list.length === 1 ? "" : "s"} passed`;
}

/** One table row per run, with everything the table shows already worded. */
export function runRows(answer) {
  const runs = answer && Array.isArray(answer.runs) ? answer.runs : [];
  return runs
    .filter((run) => run && typeof run === "object")
    .map((run) => ({
      label: String(run.label || "run"),
      verdict: String(run.verdict || ""),
      headline: String(run.headline || run.verdict || ""),
      score: formatScore(run.score),
      time: formatMs(run.ms),
      hint: run.hint ? String(run.hint) : "",
      // The run's own message: why code that never reached the checks stopped.
      message: run.message ? String(run.message) : "",
      expectation: runExpectation(run),
      checksSummary: checksSummary(run.checks),
      checks: (Array.isArray(run.checks) ? run.checks : [])
        .filter((c) => c && typeof c === "object")
        .map((c) => ({ name: String(c.name || "check"), passed: Boolean(c.passed), message: c.message ? String(c.message) : "" })),
    }));
}
