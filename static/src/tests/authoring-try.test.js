import test from "node:test";
import assert from "node:assert/strict";
import { checksSummary, formatMs, formatScore, isTryFinished, runExpectation, runRows } from "../authoring/try-runs.js";

test("polling stops at done and at failed only", () => {
  assert.ok(isTryFinished({ state: "done" }));
  assert.ok(isTryFinished({ state: "failed" }));
  assert.ok(!isTryFinished({ state: "running" }));
  assert.ok(!isTryFinished({ state: "queued" }));
  assert.ok(!isTryFinished(null));
});

test("the reference must pass and the starter must not", () => {
  assert.equal(runExpectation({ label: "reference", verdict: "passed" }).ok, true);
  assert.equal(runExpectation({ label: "reference", verdict: "failed" }).ok, false);
  assert.equal(runExpectation({ label: "starter", verdict: "failed" }).ok, true);
  assert.equal(runExpectation({ label: "starter", verdict: "passed" }).ok, false);
});

test("a known mistake must fail and be recognised by its own hint", () => {
  const label = "mistake: Forgot to average";
  assert.deepEqual(runExpectation({ label, verdict: "failed", hint: "Forgot to average" }), { ok: true, note: "caught, with its own hint" });
  assert.match(runExpectation({ label, verdict: "passed", hint: "" }).note, /no check catches/);
  assert.match(runExpectation({ label, verdict: "failed", hint: "" }).note, /no hint/);
  assert.match(runExpectation({ label, verdict: "failed", hint: "Wrong sign" }).note, /"Wrong sign"/);
  assert.equal(runExpectation({ label, verdict: "failed", hint: "Wrong sign" }).ok, false);
});

test("pasted code has no expectation", () => {
  assert.deepEqual(runExpectation({ label: "your code", verdict: "failed" }), { ok: null, note: "" });
});

test("times, scores and check counts read as words", () => {
  assert.equal(formatMs(12.34), "12 ms");
  assert.equal(formatMs(3.21), "3.2 ms");
  assert.equal(formatMs(1534), "1.53 s");
  assert.equal(formatMs(12345), "12.3 s");
  assert.equal(formatMs(null), "–");
  assert.equal(formatScore(1), "100%");
  assert.equal(formatScore(0.875), "87.5%");
  assert.equal(formatScore(0), "0%");
  assert.equal(formatScore(undefined), "–");
  assert.equal(checksSummary([{ passed: true }, { passed: false }, { passed: true }]), "2 of 3 checks passed");
  assert.equal(checksSummary([{ passed: true }]), "1 of 1 check passed");
  assert.equal(checksSummary(undefined), "No checks ran");
});

test("rows survive runs with missing or odd fields", () => {
  const rows = runRows({ state: "done", runs: [
    { label: "reference", verdict: "passed", headline: "Passed", score: 1, ms: 4, hint: "", checks: [{ name: "shape", passed: true, message: "" }, null] },
    null,
    { verdict: "invalid", message: "SyntaxError: invalid syntax (line 3)" },
  ] });
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0].checks, [{ name: "shape", passed: true, message: "" }]);
  assert.equal(rows[0].score, "100%");
  assert.equal(rows[1].label, "run");
  assert.equal(rows[1].headline, "invalid");
  assert.equal(rows[1].message, "SyntaxError: invalid syntax (line 3)");
  assert.equal(rows[0].message, "");
  assert.equal(rows[1].checksSummary, "No checks ran");
  assert.deepEqual(runRows({ state: "queued" }), []);
});
