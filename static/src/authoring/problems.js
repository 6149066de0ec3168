// The course validator's problems ({file, line, message}) as the editor shows them: the
// open file's as diagnostics at their line, the others as a list. Pure functions: `doc` is
// anything with CodeMirror's Text shape ({lines, line(n) -> {from, to}}).

/** Well-formed problems only: a file, a line that is a whole number from 1 or null, a message. */
export function normalizeProblems(list) {
  if (!Array.isArray(list)) return [];
  return list
    .filter((p) => p && typeof p === "object")
    .map((p) => ({
      file: typeof p.file === "string" ? p.file : "",
      line: Number.isInteger(p.line) && p.line >= 1 ? p.line : null,
      message: p.message === undefined || p.message === null ? "" : String(p.message),
    }));
}

const keyOf = (p) => `${p.file}\u0000${p.line === null ? "" : p.line}\u0000${p.message}`;

/** Several answers' problems as one list, each problem once, in first-seen order. */
export function mergeProblems(...lists) {
  const seen = new Set();
  const merged = [];
  for (const p of lists.flatMap(normalizeProblems)) {
    const key = keyOf(p);
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(p);
  }
  return merged;
}

// A problem about a whole file (line null) comes before those at a line.
const byLine = (a, b) => (a.line ?? 0) - (b.line ?? 0);

/** The open file's problems (by line) and the rest of the course's (by file, then line). */
export function splitProblems(problems, path) {
  const all = normalizeProblems(problems);
  const here = all.filter((p) => p.file === path).sort(byLine);
  const elsewhere = all
    .filter((p) => p.file !== path)
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : byLine(a, b)));
  return { here, elsewhere };
}

/**
 * Diagnostics for the open file's problems: each covers its line; a problem without a line
 * (about the file as a whole) covers the first one. A line past the end, which the server
 * can name when it counts differently or the text has changed since, lands on the last.
 */
export function problemsToDiagnostics(problems, doc) {
  return normalizeProblems(problems).map((p) => {
    const number = Math.min(p.line ?? 1, Math.max(1, doc.lines));
    const line = doc.line(number);
    return {
      from: line.from,
      to: line.to,
      severity: "error",
      source: "course check",
      message: p.line === null ? `${p.message} (about the whole file)` : p.message,
    };
  });
}

/** "lessons/01-loss.md:12" or, without a line, the file alone. */
export function problemPlace(p) {
  return p.line === null ? p.file || "the course" : `${p.file}:${p.line}`;
}

/** "No problems", "1 problem", "3 problems". */
export function countProblems(n) {
  if (!n) return "No problems";
  return `${n} problem${n === 1 ? "" : "s"}`;
}
