// The reader's own parts of a lesson's shared page (courses/lesson_shell.py). The page
// came the same for everyone; this fetches what is this reader's (the menu, messages,
// progress and deadlines, the think-first gate, scores, the checkpoint as drawn for
// them, where they stopped reading) and puts each where the element of the same id
// stands. Resolves once the page is whole; the whole page (no data-mine-url) resolves
// at once.

export const CONTENT_EVENT = "descent:content";

function replaceById(id, html) {
  const old = document.getElementById(id);
  if (!old) return null;
  const holder = document.createElement("template");
  holder.innerHTML = html.trim();
  const fresh = holder.content.firstElementChild;
  if (!fresh || fresh.id !== id) return null; // not the part this page expects: keep ours
  old.replaceWith(fresh);
  return fresh;
}

function showFailure(article) {
  const note = document.createElement("p");
  note.className = "notice";
  note.setAttribute("role", "alert");
  const link = document.createElement("a");
  link.href = "?whole=1";
  link.textContent = "open the whole page";
  note.append("Your progress could not be loaded, so this page shows the lesson only: reload, or ", link, ".");
  article.before(note);
}

export async function fillReaderParts() {
  const article = document.querySelector("article[data-mine-url]");
  if (!article) return;
  const open = document.getElementById("lesson-open");
  let mine;
  try {
    const response = await fetch(article.dataset.mineUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    mine = await response.json();
  } catch (error) {
    // The gate is for learning, not a lock: show the lesson rather than nothing.
    console.error("Could not load the reader's parts", error);
    showFailure(article);
    if (open) open.hidden = false;
    return;
  }
  const slots = mine.slots || {};
  for (const [id, html] of Object.entries(slots)) {
    const fresh = replaceById(id, String(html));
    if (fresh) fresh.dispatchEvent(new CustomEvent(CONTENT_EVENT, { bubbles: true }));
  }
  if (open) {
    if (mine.open) open.hidden = false;
    else open.remove(); // the student answers the prompt first
  }
  const body = document.getElementById("lesson-body");
  if (body && mine.reading) {
    body.dataset.readingUrl = mine.reading.url;
    body.dataset.readingPosition = String(mine.reading.position);
  }
  // The address may point at a part that has just arrived (#checkpoint after a retry).
  const target = window.location.hash && document.getElementById(window.location.hash.slice(1));
  if (target) target.scrollIntoView();
}
