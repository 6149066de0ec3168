import { test } from "node:test";
import assert from "node:assert/strict";
import { NODES, START, startNode, next, walk, allWalks, problems, isDiagnosis, sketch } from "../math/doctor.js";

const diagnoses = Object.entries(NODES).filter(([, node]) => isDiagnosis(node));
const questions = Object.entries(NODES).filter(([, node]) => !isDiagnosis(node));

test("the tree has no structural problems", () => {
  assert.deepEqual(problems(), []);
});

test("every answer leads to a node that exists, and every question offers at least two answers", () => {
  for (const [id, node] of questions) {
    assert.ok(node.question, `${id} has no question`);
    assert.ok(node.answers.length >= 2, id);
    for (const answer of node.answers) {
      assert.ok(answer.label, `${id}: answer without a label`);
      assert.ok(NODES[answer.next], `${id}: "${answer.label}" leads to missing ${answer.next}`);
    }
  }
});

test("every diagnosis names a cause, a way to confirm it and at least one fix", () => {
  assert.ok(diagnoses.length >= 20);
  for (const [id, node] of diagnoses) {
    assert.ok(node.diagnosis.length > 5, id);
    assert.ok(node.cause.length > 40, `${id}: cause`);
    assert.ok(node.confirm.length > 20, `${id}: confirm`);
    assert.ok(Array.isArray(node.fix) && node.fix.length >= 1 && node.fix.every((f) => f.length > 10), `${id}: fix`);
    assert.equal(node.answers, undefined, `${id}: a diagnosis has no answers`);
  }
});

test("every walk from the start ends in a diagnosis, without revisiting a node", () => {
  const walks = allWalks();
  assert.ok(walks.length >= 25);
  for (const answers of walks) {
    const result = walk(answers);
    assert.ok(result.ok, result.error);
    assert.ok(result.end, `walk ${answers} stops at ${result.path.at(-1)}, not a diagnosis`);
    assert.equal(new Set(result.path).size, result.path.length, `walk ${answers} loops: ${result.path}`);
    assert.ok(answers.length <= 5, `walk ${answers} is ${answers.length} questions long`);
  }
});

test("every node can be reached from the start", () => {
  const reached = new Set(allWalks().flatMap((answers) => walk(answers).path));
  for (const id of Object.keys(NODES)) assert.ok(reached.has(id), `${id} is unreachable`);
});

test("the problem finder catches cycles, dead ends, missing targets and unreachable nodes", () => {
  const broken = {
    [START]: { question: "q?", answers: [{ label: "a", next: "loop" }, { label: "b", next: "nowhere" }] },
    loop: { question: "again?", answers: [{ label: "yes", next: START }, { label: "no", next: "d-empty" }] },
    "d-empty": { diagnosis: "empty", cause: "", confirm: "", fix: [] },
    orphan: { diagnosis: "orphan", cause: "c", confirm: "c", fix: ["f"] },
    single: { question: "only one?", answers: [{ label: "x", next: "orphan" }] },
  };
  const found = problems(broken).join("\n");
  assert.match(found, /cycle: shape → loop → shape/);
  assert.match(found, /missing node "nowhere"/);
  assert.match(found, /d-empty: diagnosis without a cause/);
  assert.match(found, /d-empty: diagnosis without a fix/);
  assert.match(found, /orphan: unreachable/);
  assert.match(found, /single: a question needs at least two answers/);
});

test("next and walk follow answers and refuse bad steps", () => {
  assert.equal(startNode(), "shape");
  assert.equal(next("shape", 0), "nan-when");
  assert.equal(next("nan-when", 1), "d-rate-too-high");
  assert.throws(() => next("shape", 99), /no answer/);
  assert.throws(() => next("shape", -1), /no answer/);
  assert.throws(() => next("d-rate-too-high", 0), /diagnosis/);
  assert.throws(() => next("no-such-node", 0), /unknown node/);
  assert.deepEqual(walk([0, 1]), { ok: true, path: ["shape", "nan-when", "d-rate-too-high"], end: true });
  assert.equal(walk([0]).end, false); // a question, not yet a diagnosis
  const extra = walk([0, 1, 0]);
  assert.equal(extra.ok, false);
  assert.match(extra.error, /answer 3/);
});

test("the checklist's cases are all covered by the first question", () => {
  const first = NODES[START].answers.map((a) => a.label.toLowerCase()).join("\n");
  for (const words of [/nan/, /flat/, /validation falls, then rises/, /noisily/, /levels off too high/, /spikes/, /training loss sits above the validation/, /metric/]) {
    assert.match(first, words);
  }
  const reach = (answers) => walk(answers).path.at(-1);
  // a few walks end where the checklist says they should
  assert.equal(reach([0, 2, 1, 0]), "d-exploding");
  assert.equal(reach([0, 0]), "d-nan-forward");
  assert.equal(reach([1, 0]), "d-no-update");
  assert.equal(reach([1, 1, 1, 0]), "d-rate-too-small");
  assert.equal(reach([2, 0]), "d-overfitting");
  assert.equal(reach([3, 1]), "d-noisy-steps");
  assert.equal(reach([4, 0]), "d-rate-fine-phase");
  assert.equal(reach([4, 1, 0]), "d-underfitting");
  assert.equal(reach([6, 0]), "d-no-warmup");
  assert.equal(reach([7, 0]), "d-train-mode");
  assert.equal(reach([8, 1, 0]), "d-wrong-objective");
});

test("every sketch named by an answer draws finite curves in [0, 1.1], with the NaN case breaking off", () => {
  const kinds = NODES[START].answers.map((a) => a.sketch);
  assert.equal(new Set(kinds).size, kinds.length);
  for (const kind of kinds) {
    const curves = sketch(kind);
    assert.ok(curves.train.length > 10);
    for (const [name, values] of Object.entries(curves)) {
      const finite = values.filter(Number.isFinite);
      assert.ok(finite.length > 10, `${kind}.${name}`);
      assert.ok(finite.every((v) => v >= 0 && v <= 1.1), `${kind}.${name} out of range`);
    }
    if (kind === "nan") assert.ok(!Number.isFinite(curves.train.at(-1)));
    else assert.ok(curves.train.every(Number.isFinite), kind);
  }
  assert.deepEqual(sketch("noisy"), sketch("noisy"));
  assert.throws(() => sketch("nope"));
});
