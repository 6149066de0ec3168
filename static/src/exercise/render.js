// The result panel and the history list, built from the view models with DOM calls and
// textContent only: check messages and tracebacks are the student's own output, never HTML.
import { h } from "../lib/dom.js";
import { renderTrajectory } from "./figure.js";

function checkRow(check) {
  const state = check.passed ? "passed" : check.note ? "note" : "failed";
  const mark = { passed: "✓", note: "!", failed: "✗" }[state];
  const label = { passed: "Passed:", note: "Note:", failed: "Failed:" }[state];
  const li = h("li", { class: `check check-${state}` });
  li.append(h("div", { class: "check-head" },
    h("span", { class: "check-mark", "aria-hidden": "true" }, mark),
    h("span", { class: "visually-hidden" }, label),
    h("span", { class: "check-name" }, check.name),
    check.pointsText ? h("span", { class: "check-points" }, check.pointsText) : null,
  ));
  if (check.message) li.append(h("p", { class: "check-message" }, check.message));
  if (check.mistakeHint) {
    li.append(h("div", { class: "mistake-hint", role: "note" },
      h("p", null, h("strong", null, "This looks like a known mistake."), " ", check.mistakeHint)));
  } else if (check.diagnosis) {
    li.append(h("div", { class: "diagnosis", role: "note" },
      h("p", null, h("strong", null, "What it looks like:"), " ", check.diagnosis,
        check.diagnosisNote ? h("span", { class: "meta" }, ` ${check.diagnosisNote}`) : null)));
  }
  if (check.failing.length) {
    li.append(h("div", { class: "failing-input" },
      h("p", { class: "failing-input-title" }, check.failingTitle),
      h("dl", null, ...check.failing.map((row) => h("div", null, h("dt", null, row.name), h("dd", null, h("code", null, row.value)))))));
  }
  if (check.error) {
    li.append(h("details", { class: "traceback", open: true },
      h("summary", null, `${check.error.type}: ${check.error.message}`),
      h("pre", null, check.error.traceback)));
  }
  appendFigure(li, check);
  return li;
}

function appendFigure(parent, check) {
  if (check.figurePending) parent.append(h("p", { class: "figure-pending" }, "Drawing the plot…"));
  if (check.figure) {
    try {
      parent.append(renderTrajectory(check.figure));
    } catch (error) {
      console.error("could not draw the figure", error);
    }
  }
}

// A plot: the figure (which titles itself) or, until it is drawn, its name; no mark, since
// it earns and vouches for nothing.
function plotItem(check) {
  const item = h("figure", { class: "plot", "aria-label": check.name });
  if (!check.figure) item.append(h("figcaption", null, check.name));
  if (check.message) item.append(h("p", { class: "check-message" }, check.message));
  appendFigure(item, check);
  return item;
}

export function renderResult(container, view, { notice = "" } = {}) {
  const root = h("div", { class: "result", "data-id": view.id });
  if (notice) root.append(h("p", { class: "result-notice" }, notice));
  if (view.blocked) {
    root.append(h("p", { class: "result-state state-blocked" },
      h("strong", null, `Attempt ${view.attempt}: ${view.stateText}`)));
    if (view.message) root.append(h("p", { class: "result-message" }, view.message));
  } else if (!view.done) {
    root.append(h("p", { class: `result-state state-${view.state}` },
      h("span", { class: "spinner", "aria-hidden": "true" }),
      h("strong", null, `Attempt ${view.attempt}: ${view.stateText}`)));
    if (view.lateNote) root.append(lateNote(view));
  } else if (view.withheld) {
    root.append(h("p", { class: "result-verdict verdict-withheld" },
      h("strong", null, `Attempt ${view.attempt}: ${view.withheldText}.`)));
    if (view.lateNote) root.append(lateNote(view));
    if (view.checkNames.length) {
      root.append(h("p", { class: "result-message" }, "It was graded on these checks:"));
      root.append(h("ul", { class: "check-list check-names" }, ...view.checkNames.map((name) =>
        h("li", { class: "check check-withheld" }, h("div", { class: "check-head" },
          h("span", { class: "check-mark", "aria-hidden": "true" }, "•"),
          h("span", { class: "check-name" }, name))))));
    }
  } else {
    root.append(h("p", { class: `result-verdict verdict-${view.verdict}` },
      h("strong", null, `${view.passed ? "✓" : "✗"} Attempt ${view.attempt}: ${view.verdictText}`),
      view.scoreText ? ` · score ${view.scoreText}` : "",
      view.durationText ? h("span", { class: "meta" }, ` · ${view.durationText}`) : null));
    if (view.lateNote) root.append(lateNote(view));
    if (view.message) root.append(h("p", { class: "result-message" }, view.message));
    else if (view.checksSummary) root.append(h("p", { class: "result-message" }, view.checksSummary));
    if (view.checks.length) root.append(h("ul", { class: "check-list" }, ...view.checks.map(checkRow)));
    if (view.plots.length) {
      root.append(h("section", { class: "plots", "aria-label": "Plots" },
        h("h3", { class: "plots-title" }, "Plots"), ...view.plots.map(plotItem)));
    }
    if (view.stdout) root.append(h("details", { class: "output" }, h("summary", null, "Printed output (stdout)"), h("pre", null, view.stdout)));
    if (view.stderr) root.append(h("details", { class: "output" }, h("summary", null, "Error output (stderr)"), h("pre", null, view.stderr)));
  }
  container.replaceChildren(root);
}

function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function lateNote(view) {
  const counted = view.countedText ? `, so ${view.scoreText} counts as ${view.countedText}` : "";
  return h("p", { class: "late-note" }, `${capitalize(view.lateNote)}${counted}.`);
}

export function renderNotice(container, text, { error = false } = {}) {
  container.replaceChildren(h("p", { class: error ? "result-notice result-error" : "result-notice", role: error ? "alert" : null }, text));
}

export function historyItem(item, { pageUrl, previousId, previousAttempt }) {
  const time = item.createdAt ? new Date(item.createdAt) : null;
  return h("li", { class: "history-item", "data-id": item.id },
    h("a", { href: `${pageUrl}?submission=${item.id}#result`, class: "history-attempt" }, `Attempt ${item.attempt}`),
    " ",
    h("span", { class: `verdict-badge ${item.badgeClass}` }, item.label),
    item.scoreText ? h("span", { class: "history-score" }, item.scoreText) : null,
    item.lateNote ? h("span", { class: "badge badge-late" }, "late", h("span", { class: "visually-hidden" }, `: ${item.lateNote}`)) : null,
    // The server writes the moment as every page does (courses/templatetags/dates.py).
    time && !Number.isNaN(time.getTime()) && item.createdAtText
      ? h("time", { datetime: item.createdAt, class: "meta" }, item.createdAtText)
      : null,
    previousId ? h("a", { class: "history-diff", href: `${pageUrl}diff/${previousId}/${item.id}/` }, `changes since attempt ${previousAttempt}`) : null,
  );
}

export function appendHints(list, hints) {
  for (const hint of hints) {
    const li = h("li", { class: "hint-new", tabindex: "-1" }, h("span", { class: "hint-badge" }, "New hint"), " ", hint);
    list.append(li);
  }
}

/** Bring a history row up to date as its submission is graded, keeping its links. */
export function updateHistoryItem(li, item) {
  const badge = li.querySelector(".verdict-badge");
  if (badge) {
    badge.className = `verdict-badge ${item.badgeClass}`;
    badge.textContent = item.label;
  }
  let score = li.querySelector(".history-score");
  if (item.scoreText) {
    if (!score) {
      score = h("span", { class: "history-score" });
      badge.after(score);
    }
    score.textContent = item.scoreText;
  }
}

/** The hints a failed attempt just unlocked, repeated in the result panel. */
export function unlockedHints(hints) {
  return h("div", { class: "unlocked-hints" },
    h("p", null, h("strong", null, hints.length === 1 ? "A new hint is unlocked" : `${hints.length} new hints are unlocked`),
      " (also under ", h("a", { href: "#hints" }, "Hints"), "):"),
    h("ul", null, ...hints.map((hint) => h("li", null, hint))));
}
