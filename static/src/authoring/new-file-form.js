// "New lesson or exercise": the form under the file tree that asks the server for a
// scaffold (authoring.views_editor.scaffold_new). The server writes the files, commits them
// to the branch and starts a sync, like a save; the new files are in the editor once that
// sync is done and the page reloaded. The fields are checked here first (new-files.js),
// each under its own field, then again on the server, whose answer goes under the form.
import { conflictParts, showParts } from "./commit-notice.js";
import { requestJson } from "./http.js";
import { KIND_HINTS, checkNewFile, createdParts, defaultTitle, notCreated, scaffoldBody } from "./new-files.js";

/**
 * `commits` is the editor's one commit at a time: base() and syncUrl() (the last sync this
 * page started), unsaved() (the open file's path while it has uncommitted changes, else
 * ""), begin() (false while another commit is under way), end(), and committed(answer) to
 * record a commit's answer. The base stays where it was: the scaffold may have changed
 * files this page holds, so the next commit from it has to wait for a reload (see
 * authoring-editor.js).
 */
export function mountNewFileForm({ form, status, url, paths, commits }) {
  const fields = { slug: form.elements.slug, title: form.elements.title };
  const errors = { slug: document.getElementById("new-file-slug-error"), title: document.getElementById("new-file-title-error") };
  const kindHint = document.getElementById("new-file-kind-hint");
  const button = form.querySelector('button[type="submit"]');
  const kind = () => form.elements.kind.value;
  // After a refused submit the fields are checked again as they change, so the message
  // goes away as soon as the slug is right.
  let rechecking = false;

  // The answer goes under the form, which may be taller than its pane: into view with it.
  const answer = (parts, tone) => {
    showParts(status, parts, { tone });
    if (parts.length) status.scrollIntoView({ block: "nearest" });
  };
  const say = (text, { error = false } = {}) => answer(text ? [text] : [], error ? "error" : "ok");

  function showKind() {
    button.textContent = `Create ${kind()}`;
    if (kindHint && KIND_HINTS[kind()]) kindHint.textContent = KIND_HINTS[kind()];
    // What the server will call it when no title is given.
    const typed = fields.slug.value.trim();
    fields.title.placeholder = typed && !checkNewFile({ kind: kind(), slug: typed }) ? defaultTitle(typed) : "";
  }

  /** Marks the wrong field (aria-invalid) with its message under it; null clears both. */
  function showWrong(wrong) {
    for (const [name, input] of Object.entries(fields)) {
      const mine = Boolean(wrong) && wrong.field === name;
      if (mine) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
      if (errors[name]) {
        errors[name].textContent = mine ? wrong.message : "";
        errors[name].hidden = !mine;
      }
    }
    // Not a field's (the kind): under the form.
    if (wrong && !(wrong.field in fields && errors[wrong.field])) say(wrong.message, { error: true });
  }

  const problem = () => checkNewFile({ kind: kind(), slug: fields.slug.value, title: fields.title.value, paths });

  form.addEventListener("input", () => {
    showKind();
    if (!rechecking) return;
    const wrong = problem();
    showWrong(wrong);
    if (!wrong) rechecking = false;
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const wrong = problem();
    showWrong(wrong);
    if (wrong) {
      rechecking = true;
      say("");
      (fields[wrong.field] || form.elements.kind[0]).focus();
      return;
    }
    const unsaved = commits.unsaved();
    if (unsaved && !window.confirm(`Your changes to ${unsaved} are not committed, and once the new ${kind()} is committed the editor has to be reloaded before it can commit anything else. Create the ${kind()} anyway?`)) {
      say(`Nothing was created: commit your changes to ${unsaved} first, then create the ${kind()}.`);
      return;
    }
    if (!commits.begin()) {
      say("Another commit from this page is under way: wait for its answer.", { error: true });
      return;
    }
    const body = scaffoldBody({ kind: kind(), slug: fields.slug.value, title: fields.title.value, base: commits.base() });
    form.setAttribute("aria-busy", "true");
    say(`Creating ${body.kind} ${body.slug}…`);
    try {
      const { data } = await requestJson(url, { method: "POST", body });
      commits.committed(data);
      answer(createdParts({ kind: body.kind, slug: body.slug, commit: data.commit, syncUrl: data.sync_url }), "ok");
      fields.slug.value = "";
      fields.title.value = "";
      showKind();
    } catch (error) {
      // What was typed stays, to try again (another slug, or after the reload).
      if (error.status === 409) {
        answer(conflictParts({ message: error.message, syncUrl: commits.syncUrl() }), "conflict");
      } else {
        say(notCreated(error.message), { error: true });
      }
    } finally {
      form.removeAttribute("aria-busy");
      commits.end();
    }
  });

  showKind();
}
