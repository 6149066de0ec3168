import { test } from "node:test";
import assert from "node:assert/strict";
import katex from "katex";
import { KATEX_OPTIONS, parseArithmatex } from "../lib/arithmatex.js";
import { formulasOf, lessonFormulas } from "./lesson-formulas.js";

const LESSONS = lessonFormulas();

// Render as the page does, but fail loudly: a parse error, or anything KaTeX's strict
// mode would warn about in the reader's console.
function renderStrictly(tex, displayMode) {
  return katex.renderToString(tex, {
    ...KATEX_OPTIONS,
    displayMode,
    throwOnError: true,
    strict: (code, message) => {
      throw new Error(`strict mode: ${code}: ${message}`);
    },
  });
}

test("the shipped lessons have formulas to check", () => {
  const counts = Object.values(LESSONS).map((formulas) => formulas.length);
  assert.ok(counts.length >= 10, `found only ${counts.length} lessons`);
  assert.ok(counts.every((n) => n > 0), "a lesson without any formula: is the extractor broken?");
});

test("KaTeX renders every formula in every shipped lesson", () => {
  const failures = [];
  let checked = 0;
  for (const [file, formulas] of Object.entries(LESSONS)) {
    for (const { tex, displayMode, line } of formulas) {
      checked += 1;
      try {
        assert.match(renderStrictly(tex, displayMode), /class="katex/);
      } catch (error) {
        failures.push(`${file}:${line}: ${JSON.stringify(tex)}\n    ${error.message}`);
      }
    }
  }
  assert.ok(checked > 300, `only ${checked} formulas found`);
  assert.deepEqual(failures, [], `${failures.length} of ${checked} formulas fail:\n${failures.join("\n")}`);
});

test("the page options keep the LaTeX for screen readers and allow no links", () => {
  const html = katex.renderToString("\\frac{1}{n}\\sum_i (y_i - \\hat y_i)^2", KATEX_OPTIONS);
  assert.match(html, /<math[^>]*>/);
  assert.match(html, /<annotation encoding="application\/x-tex">\\frac\{1\}\{n\}/);
  assert.match(html, /class="katex-html" aria-hidden="true"/);
  const link = katex.renderToString("\\href{javascript:alert(1)}{x}", KATEX_OPTIONS);
  assert.doesNotMatch(link, /<a /);
  assert.doesNotMatch(link, /href="javascript/);
});

test("a broken formula in the page shows its source instead of throwing", () => {
  const html = katex.renderToString("\\frac{1}{", KATEX_OPTIONS);
  assert.match(html, /katex-error/);
  assert.match(html, /\\frac\{1\}\{/);
});

test("arithmatex delimiters are stripped, and display mode follows the element", () => {
  assert.deepEqual(parseArithmatex("\\(x^2\\)", false), { tex: "x^2", displayMode: false });
  assert.deepEqual(parseArithmatex("\\[\nL = \\frac{1}{n}\n\\]", true), {
    tex: "L = \\frac{1}{n}",
    displayMode: true,
  });
  assert.equal(parseArithmatex("\\(x\\)", true), null, "inline delimiters in a div");
  assert.equal(parseArithmatex("plain text", false), null);
  assert.equal(parseArithmatex("\\(  \\)", false), null);
});

test("the extractor finds math as arithmatex does, and skips code and escaped dollars", () => {
  const source = [
    "---",
    "title: a $price$ in front matter",
    "---",
    "Costs \\$5 and \\$6, `$not math$` here; $a + b$ and \\(c\\).",
    "",
    "```python",
    "print('$x$')",
    "```",
    "",
    "$$",
    "L = \\frac{1}{n}",
    "$$",
    "",
    "- item with $w_1$",
    "",
    "    $$",
    "    \\nabla L",
    "    $$",
  ].join("\n");
  assert.deepEqual(formulasOf(source), [
    { tex: "a + b", displayMode: false, line: 4 },
    { tex: "c", displayMode: false, line: 4 },
    { tex: "L = \\frac{1}{n}", displayMode: true, line: 10 },
    { tex: "w_1", displayMode: false, line: 14 },
    { tex: "\\nabla L", displayMode: true, line: 16 },
  ]);
});
