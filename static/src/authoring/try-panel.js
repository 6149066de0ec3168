// The Try-it panel: grades the exercise's reference, starter and known mistakes (and the
// author's pasted code, when there is some) on a worker, polls every 700 ms until the try
// is done, and shows one row per run with its checks to unfold.
import { h } from "../lib/dom.js";
import { pollUntilDone } from "../exercise/polling.js";
import { mountEditor } from "../exercise/editor.js";
import { isAbort, requestJson } from "./http.js";
import { isTryFinished, runRows, TRY_STATE_TEXT } from "./try-runs.js";

const POLL_MS = 700;

export function mountTryPanel({ form, textarea, codeHost, button, status, result, heading, intro, url, nonce }) {
  let exercise = null;
  let controller = null;
  let codeEditor = null;
  try {
    codeEditor = mountEditor({ textarea, host: codeHost, nonce });
  } catch (error) {
    console.error("the code editor failed to start; the plain text box stays", error);
  }
  const code = () => (codeEditor ? codeEditor.state.doc.toString() : textarea.value);

  const say = (text, { error = false } = {}) => {
    status.textContent = text;
    status.classList.toggle("is-error", error);
  };

  function stop() {
    if (controller) controller.abort();
    controller = null;
    button.disabled = false;
  }

  function table(rows) {
    const body = [];
    for (const row of rows) {
      const expected = row.expectation;
      // What the author should expect of the run sits under its name: the one thing to
      // read first when something is off.
      body.push(h("tr", { class: `try-run verdict-${row.verdict || "unknown"}` },
        h("th", { scope: "row" }, h("span", { class: "try-label" }, row.label),
          expected.ok === null ? null : h("span", { class: expected.ok ? "try-expect" : "try-expect is-off" },
            h("span", { "aria-hidden": "true" }, expected.ok ? "✓ " : "⚠ "), expected.note)),
        h("td", { class: "try-verdict" }, row.headline),
        h("td", { class: "num" }, row.score),
        h("td", { class: "num" }, row.time),
        h("td", {}, row.hint || h("span", { class: "meta" }, "none"))));
      body.push(h("tr", { class: "try-checks" }, h("td", { colspan: "5" },
        h("details", {},
          h("summary", {}, `${row.checksSummary} (${row.label})`),
          row.message ? h("p", { class: "try-run-message" }, row.message) : null,
          row.checks.length
            ? h("ul", { class: "try-check-list" }, row.checks.map((check) => h("li", { class: check.passed ? "check-passed" : "check-failed" },
              h("span", { class: "check-mark", "aria-hidden": "true" }, check.passed ? "✓" : "✗"),
              h("span", { class: "visually-hidden" }, check.passed ? "Passed: " : "Failed: "),
              h("strong", {}, check.name),
              check.message ? h("span", { class: "try-check-message" }, ` — ${check.message}`) : null)))
            : row.message ? null : h("p", { class: "meta" }, "This run has no check results.")))));
    }
    return h("div", { class: "try-table-scroll" }, h("table", { class: "try-table" },
      h("caption", { class: "visually-hidden" }, `Runs of ${exercise ? exercise.slug : "the exercise"}`),
      h("thead", {}, h("tr", {},
        ["Run", "Verdict", "Score", "Time", "Mistake recognised"].map((name) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, body)));
  }

  function show(answer) {
    const state = answer && answer.state;
    if (state === "failed") {
      say(`The try failed: ${answer.error || "the worker gave no reason."}`, { error: true });
    } else {
      say(TRY_STATE_TEXT[state] || `State: ${state || "unknown"}`);
    }
    const rows = runRows(answer);
    result.replaceChildren(...(rows.length ? [table(rows)] : []));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!exercise) return;
    stop();
    const mine = new AbortController();
    controller = mine;
    button.disabled = true;
    result.replaceChildren();
    say("Sending…");
    const pasted = code().trim() ? code() : "";
    try {
      const { data } = await requestJson(url, { method: "POST", body: { exercise: exercise.slug, code: pasted }, signal: mine.signal });
      if (!data.poll) throw new Error("the server gave no address to follow the try");
      say(TRY_STATE_TEXT.queued);
      await pollUntilDone({
        signal: mine.signal,
        isDone: isTryFinished,
        delays: { initial: POLL_MS, factor: 1, max: POLL_MS },
        fetchOnce: async () => (await requestJson(data.poll, { signal: mine.signal })).data,
        onUpdate: (answer) => {
          if (!mine.signal.aborted) show(answer);
        },
      });
    } catch (error) {
      if (mine.signal.aborted || isAbort(error)) return;
      say(`Could not try the exercise: ${error.message}`, { error: true });
    } finally {
      if (controller === mine) {
        controller = null;
        button.disabled = false;
      }
    }
  });

  return {
    /** The exercise of the open file, or null (the tab is hidden then). */
    setExercise(next) {
      if ((next && next.slug) === (exercise && exercise.slug)) return;
      stop();
      exercise = next;
      result.replaceChildren();
      say("");
      if (!exercise) return;
      heading.textContent = `Try ${exercise.slug}`;
      const mistakes = (Array.isArray(exercise.mistakes) ? exercise.mistakes : []).map((m) => m && (m.title || m.slug)).filter(Boolean);
      intro.textContent = mistakes.length
        ? `Grades the reference solution, the starter and the ${mistakes.length} known mistake${mistakes.length === 1 ? "" : "s"} (${mistakes.join("; ")}) with the exercise's checks, and your code too if you paste some.`
        : "Grades the reference solution and the starter with the exercise's checks, and your code too if you paste some. This exercise lists no known mistakes.";
    },
  };
}
