// Entry point of static/dist/teaching-regrade.js: the live progress bar of a regrade on
// the instructor's exercise page. Without it the page still shows the job's state, and
// a reload shows its progress; with it the bar and the status text follow the job until
// it ends, on a backed-off poll of the job's small JSON endpoint.
import { pollUntilDone } from "./exercise/polling.js";

const ACTIVE = new Set(["queued", "running"]);

function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

export function describe(job) {
  const errors = job.errors ? `, ${job.errors} could not be regraded` : "";
  const counts = `${job.done} of ${job.total} regraded, ${plural(job.changed, "score")} changed${errors}`;
  if (job.state === "queued") return "Queued: waiting for a worker.";
  if (job.state === "running") return `Running: ${counts}.`;
  if (job.state === "done") {
    const changed = job.changed ? ` Reload the page to see the new scores.` : "";
    const summary = job.changed ? counts : counts.replace(/0 scores changed/, "no score changed");
    return `Done: ${summary}.${changed}`;
  }
  return "Failed: reload the page to see why.";
}

function start() {
  const box = document.getElementById("regrade-job");
  if (!box || !ACTIVE.has(box.dataset.state)) return;
  const bar = document.getElementById("regrade-progress");
  const status = document.getElementById("regrade-status");
  const reload = box.querySelector(".regrade-reload");
  if (reload) reload.hidden = true;
  let lastText = status.textContent.trim();
  const update = (job) => {
    bar.max = Math.max(1, job.total);
    bar.value = job.done;
    bar.setAttribute("aria-valuemax", String(job.total));
    bar.setAttribute("aria-valuenow", String(job.done));
    bar.textContent = `${job.done} of ${job.total}`;
    box.dataset.state = job.state;
    const text = describe(job);
    // Only a changed sentence is written, so screen readers are not re-read the same one.
    if (text !== lastText) {
      status.textContent = text;
      lastText = text;
    }
  };
  pollUntilDone({
    fetchOnce: async () => {
      const response = await fetch(box.dataset.progressUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(`progress answered ${response.status}`);
      return response.json();
    },
    onUpdate: update,
    isDone: (job) => !ACTIVE.has(job.state),
    maxWaitMs: 60 * 60 * 1000,
    delays: { initial: 1000, factor: 1.3, max: 5000 },
  }).catch(() => {
    if (reload) reload.hidden = false;
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
