import test from "node:test";
import assert from "node:assert/strict";
import { countProblems, mergeProblems, normalizeProblems, problemPlace, problemsToDiagnostics, splitProblems } from "../authoring/problems.js";

// The shape of CodeMirror's Text that the mapping uses: lines counted from 1, offsets of
// each line's start and end (without its newline).
function doc(text) {
  const lines = [];
  let from = 0;
  for (const line of text.split("\n")) {
    lines.push({ from, to: from + line.length });
    from += line.length + 1;
  }
  return { lines: lines.length, line: (n) => lines[n - 1] };
}

const LESSON = "---\nslug: loss\n---\n# Loss\n\nText.";

test("a problem at a line becomes a diagnostic over that line", () => {
  const [d] = problemsToDiagnostics([{ file: "lessons/01-loss.md", line: 2, message: "unknown field" }], doc(LESSON));
  assert.deepEqual({ from: d.from, to: d.to, severity: d.severity, message: d.message }, { from: 4, to: 14, severity: "error", message: "unknown field" });
});

test("a problem about the whole file marks the first line and says so", () => {
  const [d] = problemsToDiagnostics([{ file: "f", line: null, message: "no front matter" }], doc(LESSON));
  assert.equal(d.from, 0);
  assert.equal(d.to, 3);
  assert.match(d.message, /no front matter.*whole file/);
});

test("a line past the end lands on the last line", () => {
  const [d] = problemsToDiagnostics([{ file: "f", line: 99, message: "m" }], doc(LESSON));
  assert.deepEqual([d.from, d.to], [LESSON.length - "Text.".length, LESSON.length]);
});

test("an empty file still takes a diagnostic", () => {
  const [d] = problemsToDiagnostics([{ file: "f", line: 3, message: "empty" }], doc(""));
  assert.deepEqual([d.from, d.to], [0, 0]);
});

test("malformed problems are made well-formed instead of breaking the page", () => {
  assert.deepEqual(normalizeProblems(null), []);
  assert.deepEqual(normalizeProblems([null, "x", { file: "a", line: 0, message: 5 }, { file: 7, line: "3" }, { file: "b", line: 2.5, message: "m" }]), [
    { file: "a", line: null, message: "5" },
    { file: "", line: null, message: "" },
    { file: "b", line: null, message: "m" },
  ]);
});

test("the open file's problems are split from the course's and sorted", () => {
  const { here, elsewhere } = splitProblems([
    { file: "quizzes/loss.yaml", line: 9, message: "q9" },
    { file: "lessons/01-loss.md", line: 12, message: "l12" },
    { file: "course.yaml", line: 3, message: "c3" },
    { file: "lessons/01-loss.md", line: null, message: "whole" },
    { file: "lessons/01-loss.md", line: 2, message: "l2" },
    { file: "quizzes/loss.yaml", line: 1, message: "q1" },
  ], "lessons/01-loss.md");
  assert.deepEqual(here.map((p) => p.message), ["whole", "l2", "l12"]);
  assert.deepEqual(elsewhere.map((p) => p.message), ["c3", "q1", "q9"]);
});

test("the same problem from validation and from rendering is listed once", () => {
  const a = [{ file: "f", line: 1, message: "x" }, { file: "f", line: 2, message: "y" }];
  const b = [{ file: "f", line: 1, message: "x" }, { file: "f", line: null, message: "x" }];
  assert.deepEqual(mergeProblems(a, b).map((p) => `${p.line}:${p.message}`), ["1:x", "2:y", "null:x"]);
  assert.deepEqual(mergeProblems(undefined, a), a);
});

test("places and counts read as words", () => {
  assert.equal(problemPlace({ file: "lessons/01-loss.md", line: 12 }), "lessons/01-loss.md:12");
  assert.equal(problemPlace({ file: "course.yaml", line: null }), "course.yaml");
  assert.equal(problemPlace({ file: "", line: null }), "the course");
  assert.equal(countProblems(0), "No problems");
  assert.equal(countProblems(1), "1 problem");
  assert.equal(countProblems(3), "3 problems");
});
