// Entry of the lesson page's own script (bundled to static/dist/lesson-page.js).
// Everything here enhances server-rendered markup: without it the think prompt and the
// checkpoint still post as forms, and glossary links open the glossary page.
import { mountReadingPosition } from "./lesson/reading.js";
import { mountGlossaryPopovers } from "./lesson/glossary.js";

function start() {
  const body = document.getElementById("lesson-body");
  if (body) mountReadingPosition(body);
  mountGlossaryPopovers(document);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
