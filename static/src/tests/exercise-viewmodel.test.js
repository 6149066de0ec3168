import test from "node:test";
import assert from "node:assert/strict";
import { announcement, historyView, isSettled, newHints, resultView } from "../exercise/viewmodel.js";
import { plotExtent, trajectoryModel } from "../exercise/trajectory.js";
import { createDraftSaver } from "../exercise/drafts.js";
import { csrfToken } from "../exercise/api.js";

const done = {
  id: "u1", attempt: 3, state: "done", verdict: "failed", headline: "Some checks failed", score: 0.7, message: "3 of 5 checks passed",
  duration_ms: 1234, stdout: "hi\n", stderr: "", hints: ["h1", "h2"],
  checks: [
    { name: "matches the reference", passed: true, points: 5, earned: 5, message: "", failing_input: null, shrunk: false, mistake: null, mistake_hint: null, figure: null, error: null },
    { name: "keeps the shape", passed: false, points: 2, earned: 0, message: "wrong shape", failing_input: { arg1: { array: [0], shape: [1] } }, shrunk: true, mistake: "t-from-zero", mistake_hint: "Your bias correction uses t + 1", figure: null, error: null },
    { name: "raises", passed: false, points: 1, earned: 0, message: "it raised", failing_input: null, shrunk: false, mistake: null, mistake_hint: null, figure: null, error: { type: "ValueError", message: "bad", traceback: "Traceback..." } },
    { name: "figure", passed: true, points: 0, earned: 0, figure: { kind: "trajectory", title: "t", reference: { path: [[0, 0]], loss: [0] }, student: null } },
  ],
};

test("a graded submission becomes verdict, score and check rows", () => {
  const view = resultView(done, { signature: "adam_step(w, grad)" });
  assert.equal(view.verdictText, "Some checks failed");
  assert.equal(view.scoreText, "70%");
  assert.equal(view.durationText, "graded in 1.2 s");
  assert.equal(view.checksSummary, "1 of 3 checks passed");
  // The figure is a plot, under its own heading, not a checked row.
  const [ok, shape, raised] = view.checks;
  assert.equal(view.checks.length, 3);
  const [figure] = view.plots;
  assert.equal(figure.plot, true);
  assert.equal(ok.pointsText, "5 / 5 pt");
  assert.equal(ok.message, "");
  assert.equal(shape.failingTitle, "Smallest failing input");
  assert.deepEqual(shape.failing, [{ name: "w", value: "array([0])  shape (1,)" }]);
  assert.equal(shape.mistakeHint, "Your bias correction uses t + 1");
  assert.equal(raised.error.type, "ValueError");
  assert.equal(raised.failingTitle, "Failing input");
  assert.equal(figure.pointsText, "");
  assert.equal(figure.figure.kind, "trajectory");
  assert.equal(announcement(view), "Attempt 3: Some checks failed, score 70%.");
});

test("a plot still to be drawn waits under Plots; a scored or advisory check never is one", () => {
  const pending = { name: "your path", passed: true, points: 0, earned: 0, refine: true, figure: null };
  const view = resultView({ ...done, refining: true, checks: [done.checks[0], pending] });
  assert.deepEqual(view.checks.map((c) => c.name), ["matches the reference"]);
  assert.equal(view.plots[0].figurePending, true);
  const advisory = { name: "no prints", passed: false, points: 0, earned: 0, advisory: true, message: "m" };
  assert.deepEqual(resultView({ ...done, checks: [advisory] }).plots, []);
});

test("a verdict still being refined says so, and settles when the smaller input comes", () => {
  const failing = { ...done.checks[1], shrunk: false, refine: true };
  const refining = resultView({ ...done, refining: true, checks: [failing] });
  assert.equal(refining.refining, true);
  assert.equal(refining.verdictText, "Some checks failed");
  assert.equal(refining.checks[0].failingTitle, "Failing input (looking for a smaller one…)");
  const settled = resultView({ ...done, refining: false, checks: [{ ...failing, refine: false, shrunk: true }] });
  assert.equal(settled.refining, false);
  assert.equal(settled.checks[0].failingTitle, "Smallest failing input");
  assert.equal(resultView({ ...done, refining: false, checks: [{ ...failing, refine: false }] }).checks[0].failingTitle, "Failing input");
});

test("a queued submission shows its state and nothing else", () => {
  const view = resultView({ id: "u2", attempt: 4, state: "queued", verdict: "", score: null, checks: [] });
  assert.equal(view.done, false);
  assert.equal(view.scoreText, "");
  assert.equal(announcement(view), "Attempt 4: Queued: waiting for a grader…");
});

test("history rows carry a mark as well as a colour class", () => {
  assert.equal(historyView({ id: "a", attempt: 1, state: "done", verdict: "passed", headline: "Passed", score: 1 }).label, "✓ Passed");
  assert.equal(historyView({ id: "a", attempt: 1, state: "done", verdict: "timeout", headline: "Time limit exceeded", score: 0 }).label, "✗ Time limit exceeded");
  assert.equal(historyView({ id: "a", attempt: 1, state: "done", verdict: "timeout", score: 0 }).label, "✗ timeout");
  assert.equal(historyView({ id: "a", attempt: 1, state: "running", verdict: "", score: null }).label, "Running…");
});

test("only hints past those shown are new", () => {
  assert.deepEqual(newHints(["a", "b", "c"], 1), ["b", "c"]);
  assert.deepEqual(newHints(null, 0), []);
});

const figure = {
  kind: "trajectory", title: "your momentum against the reference",
  surface: { name: "narrow_valley", params: { scale: 25 } },
  reference: { path: [[-1.5, 1], [-1, 0.2], [-0.5, 0]], loss: [27.25, 2, 0.25] },
  student: { path: [[-1.5, 1], [-1.2, 0.5], [-0.9, 0.1]], loss: [27.25, 7.69, 1.06] },
};

test("the figure's title states where both paths end", () => {
  const model = trajectoryModel(figure);
  assert.equal(model.summary, "Your path ends at (-0.9, 0.1) after 2 steps, loss 1.06; the reference ends at (-0.5, 0) after 2 steps, loss 0.25.");
  assert.equal(model.lossSummary, "Loss per step: yours ends at 1.06 after 2 steps, the reference at 0.25 after 2.");
  assert.equal(model.rows.length, 3);
  assert.deepEqual(model.rows[1], { step: 1, student: [-1.2, 0.5], reference: [-1, 0.2], studentLoss: 7.69, referenceLoss: 2 });
  assert.equal(model.surfaceName, "narrow valley");
  assert.ok(model.f);
  assert.equal(model.studentLeaves, false);
});

test("a diverging path keeps the plot on the reference and says so", () => {
  const model = trajectoryModel({ ...figure, student: { path: [[-1.5, 1], [30, -40], [1e9, 1e9], null], loss: [27, 4e4, null, null] } });
  assert.ok(model.extent.x[1] < 100);
  assert.match(model.summary, /leaves the plotted area/);
  assert.equal(model.logLoss, true);
});

test("a student error leaves the reference alone in the figure", () => {
  const model = trajectoryModel({ ...figure, student: null, student_error: "TypeError" });
  assert.match(model.summary, /^Your code produced no path to plot \(your code raised TypeError\)\. The reference ends at/);
});

test("the extent pads a path that is a single point", () => {
  const extent = plotExtent([[1, 1]], []);
  assert.deepEqual(extent, { x: [0.5, 1.5], y: [0.5, 1.5] });
  assert.equal(plotExtent([], []), null);
});

function fakeTimers() {
  const timers = new Map();
  let next = 1;
  return {
    setTimer: (fn) => { timers.set(next, fn); return next++; },
    clearTimer: (id) => timers.delete(id),
    runAll: () => { const fns = [...timers.values()]; timers.clear(); fns.forEach((fn) => fn()); },
    get size() { return timers.size; },
  };
}

test("drafts are saved once after typing pauses", async () => {
  const timers = fakeTimers();
  const saved = [];
  const statuses = [];
  const saver = createDraftSaver({ initial: "a", save: async (t) => saved.push(t), onStatus: (s) => statuses.push(s), ...timers });
  saver.change("ab");
  saver.change("abc");
  assert.equal(timers.size, 1);
  timers.runAll();
  await saver.flush();
  assert.deepEqual(saved, ["abc"]);
  assert.equal(statuses.at(-1), "saved");
  assert.equal(saver.dirty, false);
  saver.change("abc");
  assert.equal(timers.size, 0, "no save when nothing changed");
});

test("a failed draft save says not saved and retries on the next change", async () => {
  const timers = fakeTimers();
  let fail = true;
  const statuses = [];
  const saver = createDraftSaver({ save: async () => { if (fail) throw new Error("offline"); }, onStatus: (s) => statuses.push(s), ...timers });
  saver.change("x");
  await saver.flush();
  assert.equal(statuses.at(-1), "error");
  assert.equal(saver.dirty, true);
  fail = false;
  saver.change("xy");
  await saver.flush();
  assert.equal(statuses.at(-1), "saved");
});

test("the CSRF token comes from the csrftoken cookie", () => {
  assert.equal(csrfToken("sessionid=1; csrftoken=abc%3D; other=2"), "abc=");
  assert.equal(csrfToken(""), "");
});

test("a loss-curve figure (no path) is kept and summarised by its losses", () => {
  const figure = {
    kind: "loss_curve",
    title: "your loss curve against the reference",
    reference: { loss: [4, 2, 1] },
    student: { loss: [4, 3, 2.5] },
  };
  const view = resultView({
    state: "done", verdict: "failed", score: 0.5, attempt: 1,
    checks: [{ name: "curve", passed: true, points: 0, earned: 0, figure }],
  });
  assert.equal(view.plots[0].figure.kind, "loss_curve");
  const model = trajectoryModel(figure);
  assert.equal(model.extent, null);
  assert.match(model.summary, /yours ends at 2\.5 after 2 steps, the reference at 1 after 2/);
  const missing = trajectoryModel({ ...figure, student: null, student_error: "ValueError" });
  assert.match(missing.summary, /no loss curve.*ValueError/);
  const refused = trajectoryModel({ ...figure, student: null, student_problem: "too large to draw" });
  assert.match(refused.summary, /no loss curve to plot \(too large to draw\)/);
  assert.doesNotMatch(refused.summary, /raised/);
});

test("a figure still to be drawn says so, and shows once it comes", () => {
  const pending = { name: "path", passed: true, points: 0, earned: 0, figure: null, refine: true };
  assert.equal(resultView({ ...done, refining: true, checks: [pending] }).plots[0].figurePending, true);
  const drawn = { ...pending, refine: false, figure: done.checks[3].figure };
  const view = resultView({ ...done, checks: [drawn] }).plots[0];
  assert.equal(view.figurePending, false);
  assert.equal(view.figure.kind, "trajectory");
});

test("a blocked submission is settled and shows why, without a verdict", () => {
  const blocked = { id: "u3", attempt: 2, state: "blocked", verdict: "", headline: "Waiting for the exercise to be fixed", score: null, message: "This exercise cannot be graded right now", checks: [] };
  const view = resultView(blocked);
  assert.equal(view.blocked, true);
  assert.equal(view.done, false);
  assert.equal(view.verdictText, "");
  assert.equal(view.message, "This exercise cannot be graded right now");
  assert.equal(view.stateText, "Waiting for the exercise to be fixed");
  assert.equal(isSettled(blocked), true);
  assert.equal(isSettled({ ...done, refining: true }), false);
  assert.equal(isSettled({ ...done, refining: false }), true);
  assert.equal(isSettled({ state: "running" }), false);
  assert.equal(historyView(blocked).label, "Waiting for the exercise to be fixed");
});

test("an advisory check that fails is a note worth no points, left out of the count", () => {
  const view = resultView({
    ...done,
    checks: [
      { name: "matches", passed: true, points: 4, earned: 4 },
      { name: "does not modify x", passed: false, points: 0, earned: 0, advisory: true,
        message: "argument 1 was modified in place" },
    ],
  });
  const [scored, note] = view.checks;
  assert.equal(scored.note, false);
  assert.equal(note.note, true);
  assert.equal(note.pointsText, "note · no points");
  assert.equal(note.message, "argument 1 was modified in place");
  assert.equal(view.checksSummary, "1 of 1 checks passed");
});

test("the automatic diagnosis shows on a failed row unless a known mistake's hint says more", () => {
  const diagnosis = { kind: "factor", label: "off by a factor of 2", message: "Your answer is 2 times the right one." };
  const rows = [
    { name: "a", passed: false, points: 1, earned: 0, message: "0.5 instead of 0.25", diagnosis },
    { name: "b", passed: false, points: 1, earned: 0, message: "m", mistake: "x", mistake_hint: "Known.", diagnosis },
    { name: "c", passed: true, points: 1, earned: 1, diagnosis },
    { name: "d", passed: false, points: 1, earned: 0, diagnosis: { kind: "factor", message: 42 } },
  ];
  const [a, b, c, d] = resultView({ ...done, checks: rows }).checks;
  assert.equal(a.diagnosis, "Your answer is 2 times the right one.");
  assert.equal(a.diagnosisNote, "");
  const shrunk = resultView({ ...done, checks: [{ ...rows[0], shrunk: true }] }).checks[0];
  assert.match(shrunk.diagnosisNote, /before it was made smaller/);
  assert.equal(b.diagnosis, "");
  assert.equal(b.mistakeHint, "Known.");
  assert.equal(c.diagnosis, "");
  assert.equal(d.diagnosis, "");
});
