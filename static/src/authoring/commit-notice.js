// What the editor says about its commits (saving a file, a new lesson or exercise), as
// "parts": strings, links ({href, text}) and links back to this page ({reload: true, text}),
// so that the words can be tested without a DOM and the page built without innerHTML.
//
// After a commit the server syncs a draft, and refuses another commit (409) while that sync
// runs, and whenever the page's base is not the newest version (after a new lesson or
// exercise, or someone else's push): the files here would be older than the branch, and a
// commit on top of them could undo what the other one changed. Reloading the editor, once
// the sync is done, is the way out.
import { h } from "../lib/dom.js";

/** A 409's words: the server's message, what to do, and the way out (reload the editor). */
export function conflictParts({ message, advice = "", syncUrl = "" }) {
  const words = String(message || "The course moved on since this page was opened.").trim();
  const parts = [`${words} Nothing was committed.${advice ? ` ${advice}` : ""} `, { reload: true, text: "Reload the editor" }];
  if (syncUrl) parts.push(" once ", { href: syncUrl, text: "the sync" }, " is done.");
  else parts.push(".");
  return parts;
}

/**
 * DOM nodes for parts. A reload link goes to the page's address when it is followed (the
 * address names the open file, which changes as files are opened); the page asks before
 * leaving uncommitted changes.
 */
export function renderParts(parts, { location = window.location } = {}) {
  // Without its fragment: a link to the same address with one only scrolls.
  const here = () => location.href.split("#")[0];
  return parts.map((part) => {
    if (typeof part === "string") return part;
    if (part.reload) {
      const link = h("a", { href: here(), class: "reload-link" }, part.text);
      link.addEventListener("click", () => {
        link.href = here();
      });
      return link;
    }
    return h("a", { href: part.href }, part.text);
  });
}

/** Shows parts in a status line: `tone` is "ok", "error" or "conflict" (a 409's box). */
export function showParts(el, parts, { tone = "ok" } = {}) {
  el.replaceChildren(...renderParts(parts));
  el.classList.toggle("is-error", tone !== "ok");
  el.classList.toggle("is-conflict", tone === "conflict");
}
