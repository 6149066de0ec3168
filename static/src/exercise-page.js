// Entry point of static/dist/exercise-page.js: the exercise page's editor, draft saving,
// submit-and-watch and the result panel. The page is a working plain form without it;
// this script takes over the form when it runs, and hands back to it (a native submit)
// when the JSON API is not there.
import { api } from "./exercise/api.js";
import { createDraftSaver, DRAFT_STATUS } from "./exercise/drafts.js";
import { mountEditor } from "./exercise/editor.js";
import { pollUntilDone } from "./exercise/polling.js";
import { appendHints, historyItem, renderNotice, renderResult, unlockedHints, updateHistoryItem } from "./exercise/render.js";
import { announcement, historyView, isSettled, newHints, resultView } from "./exercise/viewmodel.js";

// The page's CSP nonce, read while this script runs (document.currentScript is null
// afterwards): CodeMirror puts it on the <style> element it writes its theme into.
const cspNonce = (document.currentScript && document.currentScript.nonce) || "";

// How long a submission's POST may wait on the server for the verdict (POST ?wait=).
const SUBMIT_WAIT_S = 5;

function start() {
  const page = document.getElementById("exercise-page");
  if (!page) return;
  const $ = (id) => document.getElementById(id);
  const form = $("submit-form");
  const textarea = $("source");
  const submitButton = $("submit-button");
  const resultBody = $("result-body");
  const announcer = $("result-announce");
  const draftStatus = $("draft-status");
  const historyList = $("history-list");
  const hintList = $("hint-list");
  const signature = (page.querySelector(".signature code") || {}).textContent || "";
  const urls = {
    page: page.dataset.pageUrl,
    submit: page.dataset.submitUrl,
    draft: page.dataset.draftUrl,
  };
  let hintsShown = Number(page.dataset.hintsShown || 0);
  const hintsTotal = Number(page.dataset.hintsTotal || 0);

  const drafts = createDraftSaver({
    initial: textarea.value,
    save: (source) => api(urls.draft, { method: "PUT", body: { source } }),
    onStatus: (status) => {
      draftStatus.textContent = DRAFT_STATUS[status] || "";
      draftStatus.dataset.status = status;
    },
  });
  let editor = null;
  try {
    editor = mountEditor({ textarea, host: $("editor-host"), nonce: cspNonce, onChange: (text) => drafts.change(text) });
  } catch (error) {
    // The plain textarea stays: still a working editor.
    console.error("the code editor failed to start", error);
    textarea.addEventListener("input", () => drafts.change(textarea.value));
  }
  // Leaving the page: send what is unsaved without waiting for the debounce.
  window.addEventListener("pagehide", () => {
    if (drafts.dirty) api(urls.draft, { method: "PUT", body: { source: drafts.latest }, keepalive: true }).catch(() => {});
  });

  const announce = (text) => {
    if (announcer) announcer.textContent = text;
  };

  function showHints(hints) {
    const fresh = newHints(hints, hintsShown);
    if (!fresh.length) return;
    appendHints(hintList, fresh);
    resultBody.querySelector(".result")?.append(unlockedHints(fresh));
    hintsShown += fresh.length;
    const locked = Math.max(0, hintsTotal - hintsShown);
    $("hints-locked").textContent = locked
      ? `${locked} more hint${locked === 1 ? "" : "s"} to unlock: one after each graded attempt that does not pass.`
      : "All hints are unlocked.";
    announce(`${announcer.textContent} A new hint is unlocked.`);
  }

  function addToHistory(submission) {
    const previous = historyList.querySelector(".history-item");
    const li = historyItem(historyView(submission), {
      pageUrl: urls.page,
      previousId: previous ? previous.dataset.id : null,
      previousAttempt: previous ? (previous.querySelector(".history-attempt").textContent.match(/\d+/) || [""])[0] : null,
    });
    historyList.prepend(li);
    $("history-empty").hidden = true;
  }

  let watching = null;
  function watch(url, id, notice = "", from = "queued") {
    if (watching) watching.abort();
    const controller = new AbortController();
    watching = controller;
    let lastState = null;
    let seen = from;
    return pollUntilDone({
      signal: controller.signal,
      isDone: isSettled,
      // The server holds each request until the submission changes (up to 20 s), so the
      // verdict shows the moment it is recorded; the pause between requests stays short.
      fetchOnce: async () => {
        const answer = (await api(`${url}?wait=20&seen=${seen}`)).data;
        if (answer && answer.progress) seen = answer.progress;
        return answer;
      },
      delays: { initial: 100, factor: 2, max: 2000 },
      onUpdate: (submission) => {
        if (controller.signal.aborted) return;
        const view = resultView(submission, { signature });
        renderResult(resultBody, view, { notice });
        if (view.state !== lastState) announce(announcement(view));
        lastState = view.state;
        const li = historyList.querySelector(`.history-item[data-id="${id}"]`);
        if (li) updateHistoryItem(li, historyView(submission));
        if (view.done && view.hints) showHints(view.hints);
      },
    }).catch((error) => {
      if (controller.signal.aborted) return;
      renderNotice(resultBody, `Could not follow the grading (${error.message}). Reload the page to see the result.`, { error: true });
    });
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const source = editor ? editor.state.doc.toString() : textarea.value;
    textarea.value = source;
    submitButton.disabled = true;
    submitButton.textContent = "Submitting…";
    renderNotice(resultBody, "Submitting and grading your code…");
    try {
      // The server holds the answer up to SUBMIT_WAIT_S for the verdict: most arrive in
      // this one request; a slower one is followed from where the answer left it.
      const { status, data } = await api(`${urls.submit}${urls.submit.includes("?") ? "&" : "?"}wait=${SUBMIT_WAIT_S}`, { method: "POST", body: { source } });
      drafts.flush();
      const notice = data.duplicate
        ? `You already submitted exactly this code as attempt ${data.attempt}; here is its result.`
        : "";
      if (status === 201 || !historyList.querySelector(`[data-id="${data.id}"]`)) addToHistory(data);
      const view = resultView(data, { signature });
      renderResult(resultBody, view, { notice });
      announce(notice || announcement(view));
      if (view.done && view.hints) showHints(view.hints);
      // Followed until settled: a verdict may still be refined (smaller failing inputs).
      if (!isSettled(data)) watch(data.url || `/api/v1/submissions/${data.id}`, data.id, notice, data.progress || "queued");
    } catch (error) {
      if (error.unavailable) {
        // No API on this server (yet): the page's own form handler submits instead.
        form.submit();
        return;
      }
      const text = error.status ? error.message : `Not submitted: could not reach the server (${error.message}).`;
      renderNotice(resultBody, text, { error: true });
      announce(text);
    } finally {
      submitButton.disabled = false;
      submitButton.textContent = "Submit";
    }
  });

  // The attempt shown on load: follow it while it is graded, or redraw it with its plots.
  const shownId = page.dataset.shownId;
  if (shownId) {
    const url = `/api/v1/submissions/${shownId}`;
    if (!["done", "blocked"].includes(page.dataset.shownState)) watch(url, shownId);
    else if (resultBody.querySelector(".figure-fallback")) {
      api(url).then(({ data }) => renderResult(resultBody, resultView(data, { signature }))).catch(() => {});
    }
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
