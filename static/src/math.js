// Entry point of static/dist/math.js (+ math.css and dist/fonts/): typesets the math in
// rendered Markdown with KaTeX. Every .arithmatex element the lesson renderer produced
// is replaced by KaTeX's output; without JavaScript, or if a formula fails, the
// delimited LaTeX source stays in the page as the readable fallback.
import katex from "katex";
import "katex/dist/katex.min.css";
import { KATEX_OPTIONS, parseArithmatex } from "./lib/arithmatex.js";

export function typeset(element) {
  if (element.hasAttribute("data-math-rendered")) return false;
  const parsed = parseArithmatex(element.textContent, element.tagName === "DIV");
  if (!parsed) return false;
  try {
    katex.render(parsed.tex, element, { ...KATEX_OPTIONS, displayMode: parsed.displayMode });
  } catch (error) {
    // throwOnError is off, so only a KaTeX bug lands here; keep the source visible.
    console.error("KaTeX could not typeset", parsed.tex, error);
    return false;
  }
  element.setAttribute("data-math-rendered", "");
  return true;
}

export function typesetAll(root = document) {
  root.querySelectorAll(".arithmatex").forEach(typeset);
}

if (typeof document !== "undefined") {
  // Parts a page's script puts in later (a lesson's checkpoint, static/src/lesson/mine.js).
  document.addEventListener("descent:content", (event) => typesetAll(event.target));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => typesetAll());
  else typesetAll();
}
