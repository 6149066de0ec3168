// The sync page's live log: polls the log endpoint for what was written since the last
// answer and appends it, until the sync is done; then reloads once so the page shows the
// outcome with its links (the server renders those). Without JS the page is a snapshot.
function start() {
  const config = document.getElementById("sync-poll");
  const log = document.getElementById("sync-log");
  const state = document.getElementById("sync-state");
  if (!config || !log || !state) return;
  const { url } = JSON.parse(config.textContent);
  let next = JSON.parse(config.textContent).next;
  let failures = 0;

  async function poll() {
    let answer;
    try {
      const response = await fetch(`${url}?after=${next}`, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      answer = await response.json();
      failures = 0;
    } catch (error) {
      failures += 1;
      state.textContent = `Cannot reach the server (${error.message}); trying again…`;
      window.setTimeout(poll, Math.min(10000, 1000 * 2 ** failures));
      return;
    }
    if (answer.log) {
      const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
      log.append(document.createTextNode(answer.log));
      if (atBottom) log.scrollTop = log.scrollHeight;
    }
    next = answer.next;
    if (answer.done) {
      window.location.reload();
      return;
    }
    state.textContent = answer.state === "running" ? "Running…" : "Queued: waiting for a worker…";
    window.setTimeout(poll, 700);
  }
  window.setTimeout(poll, 300);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
