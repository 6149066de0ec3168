// Entry point of static/dist/authoring-editor.js (+ authoring-editor.css, KaTeX's styles):
// the course editor at /teach/sources/<id>/edit/. The page lists the course's files as
// links; this opens them in CodeMirror, checks the whole course as the author types (the
// open file's problems as diagnostics, the others' in a list), previews lessons the way
// the lesson page shows them, commits a file to the branch, creates a lesson or an
// exercise from the scaffolds (also a commit), and tries an exercise's reference, starter
// and known mistakes on a worker. Its data comes from the page's
// <script type="application/json" id="editor-config"> (the view's `editor`).
import { createCodeEditor } from "./authoring/code-editor.js";
import { conflictParts, showParts } from "./authoring/commit-notice.js";
import { isAbort, requestJson } from "./authoring/http.js";
import { createLatestRunner } from "./authoring/latest.js";
import { mountNewFileForm } from "./authoring/new-file-form.js";
import { shortSha } from "./authoring/new-files.js";
import { showLessonPreview } from "./authoring/preview.js";
import { countProblems, mergeProblems, normalizeProblems, problemPlace, splitProblems } from "./authoring/problems.js";
import { mountTabs } from "./authoring/tabs.js";
import { exerciseFor, isLessonPath, withParam } from "./authoring/tree.js";
import { mountFileTree } from "./authoring/tree-view.js";
import { mountTryPanel } from "./authoring/try-panel.js";
import { h } from "./lib/dom.js";

// The page's CSP nonce, read while this script runs (document.currentScript is null
// afterwards): CodeMirror puts it on the <style> element it writes its theme into.
const cspNonce = (document.currentScript && document.currentScript.nonce) || "";

const CHECK_DELAY_MS = 400;

function start() {
  const root = document.getElementById("authoring");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  root.classList.add("has-js");
  for (const node of root.querySelectorAll("[data-needs-js]")) node.hidden = false;

  let config;
  try {
    config = JSON.parse($("editor-config").textContent);
  } catch (error) {
    $("editor-placeholder").textContent = "The editor could not read its settings from the page; reload it.";
    for (const node of root.querySelectorAll(".new-file")) node.hidden = true;
    console.error("editor-config is missing or not JSON", error);
    return;
  }
  const urls = config.urls || {};
  const exercises = Array.isArray(config.exercises) ? config.exercises : [];

  const state = {
    path: null,
    language: "text",
    editable: false,
    lesson: false,
    saved: "",
    dirty: false,
    base: config.base || "",
    validateProblems: [],
    renderProblems: [],
    checkError: null, // why the last course check failed, until one succeeds
    previewHtml: null,
    saving: false, // a commit (a save or a new lesson or exercise) waits for its answer
    syncUrl: "", // the sync of this page's last commit
  };

  const els = {
    title: $("editor-title"),
    readOnly: $("readonly-badge"),
    fileStatus: $("file-status"),
    checkStatus: $("check-status"),
    host: $("editor-host"),
    placeholder: $("editor-placeholder"),
    saveForm: $("save-form"),
    message: $("commit-message"),
    saveButton: $("save-button"),
    saveStatus: $("save-status"),
    readOnlyNote: $("readonly-note"),
    problemsTab: $("tab-problems"),
    problemsCount: $("problems-count"),
    problemsStatus: $("problems-status"),
    problemsHere: $("problems-here"),
    problemsElsewhere: $("problems-elsewhere"),
    previewPanel: $("panel-preview"),
    previewStatus: $("preview-status"),
    previewHead: $("preview-head"),
    previewTitle: $("preview-title"),
    previewMeta: $("preview-meta"),
    previewBody: $("preview-body"),
  };

  const say = (el, text, { error = false } = {}) => {
    el.textContent = text;
    el.classList.toggle("is-error", error);
    el.classList.remove("is-conflict");
  };

  // --- commits: one at a time ----------------------------------------------------------------
  // A save and a new lesson or exercise both commit on top of state.base, and the server
  // refuses a commit (409) while a sync runs or when the base is not its newest version;
  // the page then says so, with a way to reload (commit-notice.js).
  //
  // A save moves the base on to its own commit: it changed one file, which `committed`
  // below keeps as it was committed, so every file this page holds is still the branch's.
  // A new lesson or exercise does not: the server also edits files this page may hold
  // (course.yaml, the last lesson's list of exercises), and committing one of them from
  // here would quietly undo that edit. With the old base, every commit from this page is
  // refused until the editor is reloaded.
  const commitButtons = () => [els.saveButton, $("new-file-button")].filter(Boolean);
  const commits = {
    base: () => state.base,
    syncUrl: () => state.syncUrl,
    unsaved: () => (state.dirty ? state.path : ""),
    begin() {
      if (state.saving) return false;
      state.saving = true;
      for (const button of commitButtons()) button.disabled = true;
      return true;
    },
    end() {
      state.saving = false;
      for (const button of commitButtons()) button.disabled = false;
    },
    committed(data, { moveBase = false } = {}) {
      if (moveBase && data.commit) state.base = data.commit;
      if (data.sync_url) state.syncUrl = data.sync_url;
    },
  };

  // Mounted before the code editor, so that it works even when that fails to start.
  mountNewFileForm({
    form: $("new-file-form"),
    status: $("new-file-status"),
    url: urls.scaffold,
    paths: [...root.querySelectorAll("#file-tree-list a[data-path]")].map((link) => link.dataset.path),
    commits,
  });

  // --- the editor ---------------------------------------------------------------------
  let editor;
  try {
    editor = createCodeEditor({
      host: els.host,
      nonce: cspNonce,
      describedBy: "editor-help",
      onChange: (doc) => changed(doc.toString()),
      onSave: () => els.saveForm.requestSubmit(),
    });
  } catch (error) {
    say(els.placeholder, `The code editor failed to start (${error.message}); reload the page to try again.`, { error: true });
    console.error("the code editor failed to start", error);
    return;
  }

  const tabs = mountTabs($("panel-tabs"));
  const tree = mountFileTree($("file-tree-list"), { onOpen: (path) => openFile(path, { push: true }), initial: config.open || "" });
  const tryPanel = mountTryPanel({
    form: $("try-form"),
    textarea: $("try-code"),
    codeHost: $("try-code-host"),
    button: $("try-button"),
    status: $("try-status"),
    result: $("try-result"),
    heading: $("try-heading"),
    intro: $("try-intro"),
    url: urls.try,
    nonce: cspNonce,
  });

  function showDirty() {
    tree.setDirty(state.path, state.dirty);
    // A read-only file says so in its badge.
    say(els.fileStatus, !state.editable ? "" : state.dirty ? "Unsaved changes" : "No unsaved changes");
    els.fileStatus.classList.toggle("is-dirty", state.dirty);
  }

  // --- problems: the course check as the author types ------------------------------------
  function showProblems() {
    const all = mergeProblems(state.validateProblems, state.renderProblems);
    const { here, elsewhere } = splitProblems(all, state.path);
    editor.showProblems(here);
    els.problemsCount.textContent = all.length ? String(all.length) : "";
    els.problemsTab.classList.toggle("has-problems", all.length > 0);
    if (state.checkError) {
      // The preview's answer must not paint a failed check over as a clean one.
      els.checkStatus.dataset.state = "error";
      say(els.checkStatus, "Check failed", { error: true });
      say(els.problemsStatus, `Could not check the course: ${state.checkError} The problems below may be out of date.`, { error: true });
    } else {
      const summary = all.length
        ? `${countProblems(here.length)} in this file, ${countProblems(elsewhere.length).toLowerCase()} elsewhere`
        : "No problems in the course";
      say(els.checkStatus, summary);
      els.checkStatus.dataset.state = all.length ? "problems" : "clean";
      say(els.problemsStatus, all.length ? `${summary}.` : "No problems: the whole course passes the check with this file as it is in the editor.");
    }

    const lineButton = (p, onClick) => h("button", { type: "button", class: "problem-place", onclick: onClick }, problemPlace(p));
    els.problemsHere.replaceChildren(...(here.length
      ? here.map((p) => h("li", {}, lineButton(p, () => editor.goToLine(p.line || 1)), h("span", { class: "problem-message" }, p.message)))
      : [h("li", { class: "meta" }, "None.")]));
    els.problemsElsewhere.replaceChildren(...(elsewhere.length
      ? elsewhere.map((p) => h("li", {}, p.file && tree.has(p.file)
        ? lineButton(p, () => openFile(p.file, { push: true, line: p.line }))
        : h("span", { class: "problem-place" }, problemPlace(p)), h("span", { class: "problem-message" }, p.message)))
      : [h("li", { class: "meta" }, "None.")]));
  }

  const validator = createLatestRunner({
    delay: CHECK_DELAY_MS,
    task: ({ path, content }, signal) => requestJson(urls.validate, { method: "POST", body: { path, content }, signal }),
    onStart: () => {
      // A failure's words go while the check runs again; a result's stay until replaced.
      if (state.checkError) say(els.checkStatus, "");
      els.checkStatus.dataset.state = "checking";
    },
    onResult: ({ data }) => {
      state.checkError = null;
      state.validateProblems = normalizeProblems(data.problems);
      showProblems();
    },
    onError: (error) => {
      if (isAbort(error)) return;
      state.checkError = error.message;
      showProblems();
    },
  });

  // --- lesson preview ----------------------------------------------------------------------
  function fillPreview(data) {
    els.previewHead.hidden = false;
    els.previewTitle.textContent = data.title || "(no title)";
    els.previewMeta.textContent = data.widget ? `Widget: ${data.widget}` : "";
    const html = typeof data.html === "string" ? data.html : "";
    if (html !== state.previewHtml) {
      // Typing should not throw the reader back to the top of the preview.
      const scrolled = els.previewPanel.scrollTop;
      showLessonPreview(els.previewBody, { html, terms: data.terms });
      els.previewPanel.scrollTop = scrolled;
      state.previewHtml = html;
    }
    els.previewBody.classList.remove("is-stale");
  }

  const previewer = createLatestRunner({
    delay: CHECK_DELAY_MS,
    task: ({ path, content }, signal) => requestJson(urls.render, { method: "POST", body: { path, content }, signal }),
    onStart: () => els.previewPanel.setAttribute("aria-busy", "true"),
    onResult: ({ data }, { path }) => {
      els.previewPanel.removeAttribute("aria-busy");
      state.renderProblems = normalizeProblems(data.problems);
      showProblems();
      const own = splitProblems(state.renderProblems, path).here.length;
      if (!data.html && own) {
        // The server renders nothing while the lesson's own file is broken.
        els.previewBody.classList.add("is-stale");
        const shown = state.previewHtml !== null ? " What is shown is the last preview that worked." : "";
        say(els.previewStatus, `The lesson cannot be rendered until its ${countProblems(own).toLowerCase()} are fixed (see Problems).${shown}`, { error: true });
        return;
      }
      try {
        fillPreview(data);
        say(els.previewStatus, own ? `This lesson has ${countProblems(own).toLowerCase()}; see Problems.` : "");
      } catch (error) {
        console.error("the preview could not be shown", error);
        say(els.previewStatus, `The preview could not be shown: ${error.message}`, { error: true });
      }
    },
    onError: (error) => {
      if (isAbort(error)) return;
      els.previewPanel.removeAttribute("aria-busy");
      if (error.data && Array.isArray(error.data.problems)) {
        state.renderProblems = normalizeProblems(error.data.problems);
        showProblems();
      }
      els.previewBody.classList.add("is-stale");
      const shown = state.previewHtml !== null ? " What is shown is the last preview that worked." : "";
      say(els.previewStatus, `Could not render the preview: ${error.message}${shown}`, { error: true });
    },
  });

  function changed(content) {
    if (!state.path) return;
    state.dirty = content !== state.saved;
    showDirty();
    const input = { path: state.path, content };
    validator.schedule(input);
    if (state.lesson) previewer.schedule(input);
  }

  // --- opening a file ------------------------------------------------------------------------
  let loading = null;
  // What this page committed, by path. Files are served from the newest synced version, so
  // until the sync of a commit is done the server still has the file as it was before it;
  // reopening it from there and committing again would quietly undo the first commit.
  const committed = new Map();

  function chooseTab(exercise) {
    const current = tabs.selected();
    if (state.lesson) tabs.select("tab-preview");
    else if (exercise && current === "tab-try") tabs.select("tab-try");
    else tabs.select("tab-problems");
  }

  function showFile(data, path) {
    validator.cancel();
    previewer.cancel();
    state.path = typeof data.path === "string" && data.path ? data.path : path;
    state.language = data.language || "text";
    state.editable = Boolean(data.editable);
    state.lesson = isLessonPath(state.path);
    state.saved = typeof data.content === "string" ? data.content : "";
    const mine = committed.get(state.path);
    const behind = mine !== undefined && mine !== state.saved;
    if (behind) state.saved = mine;
    state.dirty = false;
    state.validateProblems = [];
    state.renderProblems = [];
    state.checkError = null;
    state.previewHtml = null;

    els.placeholder.hidden = true;
    els.host.hidden = false;
    editor.open({ content: state.saved, language: state.language, editable: state.editable, label: `Contents of ${state.path}` });
    els.title.textContent = state.path;
    document.title = `Edit ${state.path} · Descent`;
    els.readOnly.hidden = state.editable;
    tree.setOpen(state.path);
    showDirty();

    els.saveForm.hidden = !state.editable;
    els.readOnlyNote.hidden = state.editable;
    els.message.value = `Edit ${state.path}`;
    say(els.saveStatus, behind
      ? "Showing the file as you committed it from this page: the server's copy is older until the sync is done."
      : "");

    const exercise = exerciseFor(state.path, exercises);
    tryPanel.setExercise(exercise);
    tabs.show("tab-try", Boolean(exercise));
    chooseTab(exercise);

    els.previewBody.replaceChildren();
    els.previewBody.classList.remove("is-stale");
    els.previewPanel.removeAttribute("aria-busy");
    els.previewHead.hidden = true;
    if (state.lesson) {
      say(els.previewStatus, "Rendering the lesson…");
    } else {
      say(els.previewStatus, "The preview shows lesson files (lessons/*.md). This file is checked with the whole course: see Problems.");
    }

    say(els.checkStatus, "");
    say(els.problemsStatus, "Checking the course…");
    els.problemsHere.replaceChildren();
    els.problemsElsewhere.replaceChildren();
    editor.showProblems([]);
    const input = { path: state.path, content: state.saved };
    validator.run(input);
    if (state.lesson) previewer.run(input);
  }

  async function openFile(path, { push = false, replace = false, line = null } = {}) {
    if (!path) return false;
    if (path === state.path) {
      if (line) editor.goToLine(line);
      return true;
    }
    if (state.dirty && !window.confirm(`Your changes to ${state.path} are not committed. Discard them and open ${path}?`)) return false;
    if (loading) loading.abort();
    const mine = new AbortController();
    loading = mine;
    say(els.fileStatus, `Opening ${path}…`);
    try {
      const { data } = await requestJson(withParam(urls.file, "path", path), { signal: mine.signal });
      if (loading !== mine) return false;
      loading = null;
      showFile(data, path);
      const address = withParam(window.location.href, "file", state.path);
      if (push) window.history.pushState({ path: state.path }, "", address);
      else if (replace) window.history.replaceState({ path: state.path }, "", address);
      if (line) editor.goToLine(line);
      return true;
    } catch (error) {
      if (isAbort(error) || loading !== mine) return false;
      loading = null;
      const text = `Could not open ${path}: ${error.message}`;
      if (state.path) say(els.fileStatus, text, { error: true });
      else say(els.placeholder, text, { error: true });
      return false;
    }
  }

  window.addEventListener("popstate", async () => {
    const wanted = new URLSearchParams(window.location.search).get("file");
    if (!wanted || wanted === state.path) return;
    const opened = await openFile(wanted);
    // Kept the unsaved file: the address goes back to it.
    if (!opened && state.path) window.history.pushState({ path: state.path }, "", withParam(window.location.href, "file", state.path));
  });

  // --- committing --------------------------------------------------------------------------
  els.saveForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!state.path || !state.editable) return;
    if (state.saving) {
      say(els.saveStatus, "Another commit from this page is under way: wait for its answer.", { error: true });
      return;
    }
    const message = els.message.value.trim();
    if (!message) {
      say(els.saveStatus, "Write a commit message first: it is what the branch's history shows.", { error: true });
      els.message.focus();
      return;
    }
    if (!state.dirty) {
      say(els.saveStatus, "Nothing to commit: the file is as it was read from the branch.");
      return;
    }
    const path = state.path;
    const content = editor.text();
    commits.begin();
    say(els.saveStatus, "Committing…");
    try {
      const { data } = await requestJson(urls.save, { method: "POST", body: { path, content, message, base: state.base } });
      commits.committed(data, { moveBase: true });
      const short = shortSha(data.commit);
      committed.set(path, content);
      showParts(els.saveStatus, data.sync_url
        ? [`Committed ${short}; syncing a draft… `, { href: data.sync_url, text: "Follow the sync" }]
        : [`Committed ${short}.`]);
      if (state.path === path) {
        state.saved = content;
        state.dirty = editor.text() !== content;
        showDirty();
        els.message.value = `Edit ${path}`;
      }
    } catch (error) {
      if (error.status === 409) {
        showParts(els.saveStatus, conflictParts({
          message: error.message,
          advice: "Copy your text somewhere safe: the reloaded editor reads the branch as it is then, and your change has to be made again.",
          syncUrl: state.syncUrl,
        }), { tone: "conflict" });
      } else if (error.status === 400 && error.data && Array.isArray(error.data.problems) && error.data.problems.length) {
        state.checkError = null;
        state.validateProblems = normalizeProblems(error.data.problems);
        showProblems();
        tabs.select("tab-problems");
        say(els.saveStatus, error.message, { error: true });
      } else {
        // The server's own words say what went wrong; a network failure needs the verdict.
        say(els.saveStatus, error.status ? error.message : `Not committed. ${error.message}`, { error: true });
      }
    } finally {
      commits.end();
    }
  });

  window.addEventListener("beforeunload", (event) => {
    if (!state.dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });

  // The address names the file, so that going back to this entry reopens it.
  if (config.open) openFile(config.open, { replace: true });
  else els.placeholder.textContent = "Pick a file on the left to open it here.";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
