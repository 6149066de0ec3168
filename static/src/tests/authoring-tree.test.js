import test from "node:test";
import assert from "node:assert/strict";
import { buildTree, exerciseFor, foldersOf, isLessonPath, withParam } from "../authoring/tree.js";

const FILES = [
  { path: "course.yaml", editable: true },
  { path: "exercises/mse-loss/exercise.yaml", editable: true },
  { path: "exercises/mse-loss/reference.py", editable: true },
  { path: "exercises/adam/exercise.yaml", editable: false },
  { path: "glossary.yaml", editable: true },
  { path: "lessons/02-landscape.md", editable: true },
  { path: "lessons/01-loss.md", editable: true },
];

const shape = (folder) => ({
  name: folder.name,
  files: folder.files.map((f) => f.name),
  folders: folder.folders.map(shape),
});

test("paths are grouped into nested folders, each level sorted", () => {
  assert.deepEqual(shape(buildTree(FILES)), {
    name: "",
    files: ["course.yaml", "glossary.yaml"],
    folders: [
      { name: "exercises", files: [], folders: [
        { name: "adam", files: ["exercise.yaml"], folders: [] },
        { name: "mse-loss", files: ["exercise.yaml", "reference.py"], folders: [] },
      ] },
      { name: "lessons", files: ["01-loss.md", "02-landscape.md"], folders: [] },
    ],
  });
});

test("a file in the tree keeps what it came with, and its whole path", () => {
  const adam = buildTree(FILES).folders[0].folders[0];
  assert.equal(adam.path, "exercises/adam");
  assert.deepEqual(adam.files[0], { path: "exercises/adam/exercise.yaml", editable: false, name: "exercise.yaml" });
});

test("empty and slash-wrapped paths do not make empty folders", () => {
  assert.deepEqual(shape(buildTree([{ path: "" }, { path: "/lessons/a.md/" }])), {
    name: "", files: [], folders: [{ name: "lessons", files: ["a.md"], folders: [] }],
  });
});

test("the folders around a file, outermost first", () => {
  assert.deepEqual(foldersOf("exercises/mse-loss/reference.py"), ["exercises", "exercises/mse-loss"]);
  assert.deepEqual(foldersOf("course.yaml"), []);
});

test("only Markdown directly under lessons/ is a lesson", () => {
  assert.ok(isLessonPath("lessons/01-loss.md"));
  assert.ok(!isLessonPath("lessons/old/01-loss.md"));
  assert.ok(!isLessonPath("lessons/notes.txt"));
  assert.ok(!isLessonPath("exercises/mse-loss/statement.md"));
});

test("a file belongs to the exercise whose folder holds it, not to one with a longer name", () => {
  const exercises = [{ slug: "mse-loss", folder: "exercises/mse-loss" }, { slug: "mse-loss-grad", folder: "exercises/mse-loss-grad/" }];
  assert.equal(exerciseFor("exercises/mse-loss/reference.py", exercises).slug, "mse-loss");
  assert.equal(exerciseFor("exercises/mse-loss-grad/exercise.yaml", exercises).slug, "mse-loss-grad");
  assert.equal(exerciseFor("exercises/mse-loss", exercises), null);
  assert.equal(exerciseFor("lessons/01-loss.md", exercises), null);
  assert.equal(exerciseFor("x", undefined), null);
});

test("a query parameter is set whether or not the address has a query", () => {
  assert.equal(withParam("/teach/sources/3/file/", "path", "lessons/01 loss.md"), "/teach/sources/3/file/?path=lessons/01+loss.md");
  assert.equal(withParam("/edit/?file=a.md&x=1#top", "file", "b&c.md"), "/edit/?file=b%26c.md&x=1#top");
});
