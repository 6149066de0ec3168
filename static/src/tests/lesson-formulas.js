// The formulas of the shipped lessons, found the way pymdownx.arithmatex finds them (the
// renderer's settings: smart dollars, block syntaxes $$...$$, \[...\] and
// \begin{env}...\end{env}, inline $...$ and \(...\)). Not a test file itself: it is
// imported by math.test.js and, to check that it agrees with arithmatex exactly, by
// tests/courses/test_math.py.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const CONTENT = join(ROOT, "courses", "content");

// The block and inline patterns of pymdownx/arithmatex.py, in JavaScript syntax.
const DOLLAR_BLOCK = String.raw`\$\$((?:\\.|[^\\])+?)\$\$`;
const TEX_BLOCK = String.raw`(\\begin\{([a-z]+\*?)\}(?:\\.|[^\\])+?\\end\{\3\})`;
const BRACKET_BLOCK = String.raw`\\\[((?:\\[^\]]|[^\\])+?)\\\]`;
const BLOCK = new RegExp(String.raw`^(?:${DOLLAR_BLOCK}|${TEX_BLOCK}|${BRACKET_BLOCK})[ ]*$`, "s");
const INLINE = new RegExp(
  String.raw`(?<!\\)((?:\\{2})+)(?=\$)` + // escaped backslashes before a dollar: not math
    String.raw`|(?<!\\)\$(?!\s)((?:\\.|[^\\$])+?)(?<!\s)\$` + // smart $...$
    String.raw`|(?<!\\)((?:\\{2})+?)(?=\\\()` +
    String.raw`|(?<!\\)\\\(((?:\\[^)]|[^\\])+?)\\\)`, // \(...\)
  "g",
);
const FENCE = /^(\s*)(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\2[ \t]*$/gm;
const CODE_SPAN = /(`+)[\s\S]*?[^`]\1(?!`)/g;

function stripFrontMatter(text) {
  const match = /^---\n[\s\S]*?\n---\n/.exec(text);
  return match ? text.slice(match[0].length) : text;
}

// Markdown blocks: runs of lines between blank lines, with list and admonition
// indentation removed (arithmatex sees a block after its container strips the indent).
function blocks(text) {
  return text
    .split(/\n[ \t]*\n/)
    .map((block) => {
      const lines = block.split("\n");
      const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)[0].length));
      return lines.map((l) => l.slice(indent)).join("\n").trim();
    })
    .filter(Boolean);
}

// Every formula of one Markdown source, in document order:
// [{ tex, displayMode, line }] where `line` is the 1-based line it starts on.
export function formulasOf(markdown) {
  const body = stripFrontMatter(markdown);
  const offset = markdown.length - body.length;
  const lineAt = (index) => markdown.slice(0, index).split("\n").length;
  // Code is not math: blank fenced blocks and code spans out, keeping the offsets.
  const blank = (m) => m.replace(/[^\n]/g, " ");
  const text = body.replace(FENCE, blank).replace(CODE_SPAN, blank);
  const found = [];
  let cursor = 0;
  for (const block of blocks(text)) {
    const at = offset + text.indexOf(block.split("\n")[0], cursor);
    cursor = Math.max(cursor, at - offset);
    const whole = BLOCK.exec(block);
    if (whole) {
      const tex = whole[1] ?? whole[2] ?? whole[4];
      found.push({ tex: tex.trim(), displayMode: true, line: lineAt(at) });
      continue;
    }
    for (const match of block.matchAll(INLINE)) {
      const tex = match[2] ?? match[4];
      if (tex === undefined) continue;
      const inBlock = block.slice(0, match.index).split("\n").length - 1;
      found.push({ tex: tex.trim(), displayMode: false, line: lineAt(at) + inBlock });
    }
  }
  return found;
}

// { "gradient-descent/lessons/01-loss.md": [formulas...], ... } for every shipped lesson.
export function lessonFormulas() {
  const out = {};
  for (const course of readdirSync(CONTENT, { withFileTypes: true })) {
    if (!course.isDirectory()) continue;
    const dir = join(CONTENT, course.name, "lessons");
    let names;
    try {
      names = readdirSync(dir).filter((n) => n.endsWith(".md")).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      out[`${course.name}/lessons/${name}`] = formulasOf(readFileSync(join(dir, name), "utf8"));
    }
  }
  return out;
}
