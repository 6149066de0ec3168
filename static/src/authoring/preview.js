// The lesson preview: the server's rendering of the lesson being edited, enhanced the way
// the lesson page enhances its body (math.js typesets the formulas, main.js mounts the
// widgets, lesson/glossary.js adds the term pop-overs), but inside one container that is
// filled again as the author types.
import { typesetAll } from "../math.js";
import { mountAll } from "../main.js";
import { mountGlossaryPopovers } from "../lesson/glossary.js";
import { h } from "../lib/dom.js";

// The render answer may carry the lesson's glossary cards as data; they become the same
// hidden cards courses/lesson.html renders, built from text (never parsed as markup).
function termCards(terms) {
  const cards = h("div", { class: "term-cards", hidden: true });
  for (const term of Array.isArray(terms) ? terms : []) {
    if (!term || !term.slug) continue;
    cards.append(h("div", { class: "term-card", "data-term-card": String(term.slug) },
      h("p", { class: "term-name" }, h("strong", {}, String(term.term || term.slug))),
      term.definition ? h("p", {}, String(term.definition)) : null,
      termFormula(term),
      term.why ? h("p", {}, h("strong", {}, "Why it matters:"), ` ${term.why}`) : null,
      term.myth ? [h("p", {}, h("strong", {}, "Myth:"), ` ${term.myth}`), h("p", {}, h("strong", {}, "Reality:"), ` ${term.reality || ""}`)] : null,
    ));
  }
  return cards;
}

// The formula and its anatomy as courses/_term_formula.html renders them in a lesson's
// cards (the anatomy folded): LaTeX as text between arithmatex's delimiters, for
// typesetAll below to typeset.
function termFormula(term) {
  if (!term.formula) return null;
  const parts = Array.isArray(term.anatomy) ? term.anatomy.filter((part) => part && part.symbol) : [];
  const anatomy = h("dl", { class: "term-anatomy", "aria-label": "What the symbols of the formula mean" },
    ...parts.flatMap((part) => [
      h("dt", {}, h("span", { class: "arithmatex" }, `\\(${String(part.symbol)}\\)`)),
      h("dd", {}, String(part.meaning || "")),
    ]));
  return h("div", { class: "term-formula" },
    h("div", { class: "arithmatex" }, `\\[${String(term.formula)}\\]`),
    parts.length
      ? h("details", { class: "term-anatomy-fold" }, h("summary", {}, "What each symbol means"), anatomy)
      : null,
  );
}

/**
 * Puts a rendered lesson body into `container` and enhances it. The HTML is the server's
 * rendering of the instructor's own course, sanitized like the lesson page's body.
 */
export function showLessonPreview(container, { html, terms }) {
  // The pop-over of the previous rendering is attached to <body>; one at a time.
  document.querySelectorAll(".term-popover").forEach((node) => node.remove());
  container.innerHTML = html;
  if (Array.isArray(terms) && terms.length) container.append(termCards(terms));
  // Links lead out of the editor: a new tab keeps the unsaved text here.
  container.querySelectorAll("a[href]").forEach((a) => {
    if (a.getAttribute("href").startsWith("#")) return;
    a.setAttribute("target", "_blank");
    a.setAttribute("rel", "noopener");
  });
  typesetAll(container);
  mountAll(container);
  mountGlossaryPopovers(container);
}
