import test from "node:test";
import assert from "node:assert/strict";
import { conflictParts } from "../authoring/commit-notice.js";
import {
  KINDS,
  KIND_HINTS,
  SLUG,
  checkNewFile,
  createdParts,
  defaultTitle,
  notCreated,
  scaffoldBody,
  shortSha,
  slugProblem,
  suggestSlug,
  takenBy,
  titleProblem,
} from "../authoring/new-files.js";

const PATHS = [
  "course.yaml",
  "lessons/01-gradient-descent.md",
  "lessons/02-momentum.md",
  "quizzes/gradient-descent.yaml",
  "quizzes/warm-up.yaml",
  "exercises/linear-model-gradient/exercise.yaml",
  "exercises/linear-model-gradient/checks.py",
];

test("it accepts the slugs the server accepts", () => {
  for (const slug of ["a", "step", "gradient-step", "l2", "2d-bowl", "a-b-c", "x".repeat(60)]) {
    assert.equal(slugProblem(slug), null, slug);
    assert.ok(SLUG.test(slug), slug);
  }
});

test("it refuses what courses.scaffold.SLUG refuses, saying why", () => {
  const cases = [
    ["Gradient-Step", /capital letters/],
    ["gradient step", /spaces/],
    ["gradient_step", /underscores/],
    ["-step", /starts or ends with a hyphen/],
    ["step-", /starts or ends with a hyphen/],
    ["gradient--step", /two hyphens in a row/],
    ["étape", /other than lowercase letters, digits and hyphens/],
    ["step!", /other than lowercase letters, digits and hyphens/],
  ];
  for (const [slug, why] of cases) {
    const message = slugProblem(slug, "lesson");
    assert.ok(message, slug);
    assert.match(message, why, slug);
    assert.match(message, /lowercase letters a-z and digits, with single hyphens/);
    assert.equal(SLUG.test(slug), false, slug);
  }
});

test("it suggests a slug that would do", () => {
  assert.match(slugProblem("Gradient Step"), /Try "gradient-step"\./);
  assert.match(slugProblem("étape"), /Try "etape"\./);
  assert.doesNotMatch(slugProblem("!!!"), /Try/);
  assert.equal(suggestSlug("  Adam & RMSprop, 2nd try! "), "adam-rmsprop-2nd-try");
  assert.equal(suggestSlug("--a--"), "a");
  assert.ok(SLUG.test(suggestSlug(`${"word ".repeat(30)}end`)));
});

test("it asks for a slug when there is none, naming the kind", () => {
  assert.match(slugProblem("", "exercise"), /^Give the exercise a slug/);
  assert.match(checkNewFile({ kind: "lesson", slug: "   " }).message, /^Give the lesson a slug/);
});

test("it refuses a slug over the server's 60 characters", () => {
  assert.match(slugProblem("x".repeat(61)), /61 characters; at most 60/);
});

test("it finds the lesson, quiz or exercise a slug is already taken by", () => {
  assert.equal(takenBy("lesson", "momentum", PATHS), "lessons/02-momentum.md");
  assert.equal(takenBy("lesson", "warm-up", PATHS), "quizzes/warm-up.yaml");
  assert.equal(takenBy("lesson", "gradient", PATHS), null);
  assert.equal(takenBy("lesson", "linear-model-gradient", PATHS), null);
  assert.equal(takenBy("exercise", "linear-model-gradient", PATHS), "exercises/linear-model-gradient/exercise.yaml");
  assert.equal(takenBy("exercise", "linear-model", PATHS), null);
  assert.equal(takenBy("exercise", "momentum", PATHS), null);
});

test("it checks kind, then slug, then title, naming the field", () => {
  assert.equal(checkNewFile({ kind: "lesson", slug: " new-one ", title: "", paths: PATHS }), null);
  assert.equal(checkNewFile({ kind: "quiz", slug: "new-one" }).field, "kind");
  assert.deepEqual(checkNewFile({ kind: "lesson", slug: "Bad", title: "x".repeat(500) }).field, "slug");
  const taken = checkNewFile({ kind: "exercise", slug: "linear-model-gradient", paths: PATHS });
  assert.equal(taken.field, "slug");
  assert.match(taken.message, /already has an exercise "linear-model-gradient" \(exercises\/linear-model-gradient\/\)/);
  assert.match(checkNewFile({ kind: "lesson", slug: "warm-up", paths: PATHS }).message, /checkpoint quiz is named after the lesson/);
  assert.equal(checkNewFile({ kind: "lesson", slug: "ok", title: "x".repeat(181) }).field, "title");
});

test("it measures the title as the server does, in bytes of UTF-8", () => {
  assert.equal(titleProblem(""), null);
  assert.equal(titleProblem("x".repeat(180)), null);
  assert.match(titleProblem("x".repeat(181)), /181 characters; at most 180/);
  assert.match(titleProblem("é".repeat(100)), /at most 180 bytes, and it has 200/);
  assert.match(titleProblem("one\ntwo"), /one line/);
});

test("it says where each kind goes", () => {
  assert.deepEqual(Object.keys(KIND_HINTS), KINDS);
  assert.match(KIND_HINTS.exercise, /last lesson/);
});

test("its default title is the server's (courses.scaffold.default_title)", () => {
  assert.equal(defaultTitle("linear-model-gradient"), "Linear model gradient");
  assert.equal(defaultTitle("2d-bowl"), "2d bowl");
  assert.equal(defaultTitle(""), "");
});

test("it sends what it checked, trimmed, with the base commit", () => {
  assert.deepEqual(scaffoldBody({ kind: "exercise", slug: " adam ", title: "  Adam  ", base: "abc" }), {
    kind: "exercise",
    slug: "adam",
    title: "Adam",
    base: "abc",
  });
  assert.deepEqual(scaffoldBody({ kind: "lesson", slug: "a", base: "abc" }).title, "");
});

test("it says what it created, where the sync is and when to reload", () => {
  const parts = createdParts({ kind: "lesson", slug: "step", commit: "0123456789abcdef", syncUrl: "/teach/syncs/7/" });
  assert.equal(
    parts.map((p) => (typeof p === "string" ? p : `[${p.text}]`)).join(""),
    "Created lesson step in commit 0123456; syncing a draft… [Follow the sync] — [reload the editor] when the sync is done to see the new files.",
  );
  assert.deepEqual(parts[1], { href: "/teach/syncs/7/", text: "Follow the sync" });
  assert.equal(parts[3].reload, true);
  const unsynced = createdParts({ kind: "exercise", slug: "adam", commit: "fedcba9876", syncUrl: "" });
  assert.equal(unsynced[0], "Created exercise adam in commit fedcba9. ");
  assert.equal(unsynced[1].reload, true);
  assert.equal(shortSha(undefined), "");
});

test("a refusal reads as a sentence", () => {
  assert.equal(notCreated("lesson 'a' already exists (lessons/01-a.md)"), "Not created. Lesson 'a' already exists (lessons/01-a.md).");
  assert.equal(notCreated("Could not reach the server: check your connection and try again."), "Not created. Could not reach the server: check your connection and try again.");
  assert.equal(notCreated(""), "Not created. The server refused.");
});

test("a 409 says nothing was committed and offers to reload the editor", () => {
  const text = (parts) => parts.map((p) => (typeof p === "string" ? p : `[${p.text}]`)).join("");
  const plain = conflictParts({ message: "A sync is running." });
  assert.equal(text(plain), "A sync is running. Nothing was committed. [Reload the editor].");
  assert.deepEqual(plain[1], { reload: true, text: "Reload the editor" });
  const withSync = conflictParts({ message: "A sync is running.", advice: "Copy your text.", syncUrl: "/s/1/" });
  assert.equal(text(withSync), "A sync is running. Nothing was committed. Copy your text. [Reload the editor] once [the sync] is done.");
  assert.deepEqual(withSync[3], { href: "/s/1/", text: "the sync" });
  assert.match(text(conflictParts({ message: "" })), /^The course moved on/);
});
