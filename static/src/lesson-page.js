// Entry of the lesson page's own script (bundled to static/dist/lesson-page.js).
// On the shared page (courses/lesson_shell.py) it first fetches the reader's own parts;
// everything else enhances server-rendered markup: without it the think prompt and the
// checkpoint still post as forms, and glossary links open the glossary page.
import { fillReaderParts } from "./lesson/mine.js";
import { mountReadingPosition } from "./lesson/reading.js";
import { mountGlossaryPopovers } from "./lesson/glossary.js";

async function start() {
  await fillReaderParts();
  const body = document.getElementById("lesson-body");
  if (body) mountReadingPosition(body);
  mountGlossaryPopovers(document);
  document.documentElement.dataset.lessonReady = "";
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
