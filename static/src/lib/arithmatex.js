// What static/src/math.js needs to know about pymdownx.arithmatex's "generic" output,
// kept free of DOM and CSS imports so node's test runner can load it.
//
// The lesson renderer (courses/rendering.py) turns `$...$` into
// <span class="arithmatex">\(...\)</span> and `$$...$$` into
// <div class="arithmatex">\[...\]</div>; without JavaScript that delimited LaTeX is
// what readers see, so the delimiters stay in the HTML and are stripped only here.

const INLINE = /^\s*\\\(([\s\S]*)\\\)\s*$/;
const DISPLAY = /^\s*\\\[([\s\S]*)\\\]\s*$/;

// trust: false — no \href, \includegraphics or \htmlClass from course files.
// output: "htmlAndMathml" — the visual HTML is aria-hidden and the MathML (which carries
// the LaTeX source as an annotation) is what screen readers read.
// maxSize / maxExpand bound what a hostile or mistyped formula can make the page do.
export const KATEX_OPTIONS = Object.freeze({
  throwOnError: false,
  trust: false,
  strict: "warn",
  output: "htmlAndMathml",
  maxSize: 50,
  maxExpand: 1000,
});

// Text of an .arithmatex element -> { tex, displayMode }, or null when it is not in
// the delimited form arithmatex produces (then it is left alone).
export function parseArithmatex(text, isBlock) {
  const match = (isBlock ? DISPLAY : INLINE).exec(text);
  if (!match) return null;
  const tex = match[1].trim();
  if (!tex) return null;
  return { tex, displayMode: Boolean(isBlock) };
}
