// Saving the editor's content as the student types: one PUT after a pause in typing,
// never two at once (a slow answer must not overwrite a newer draft with an older one).

export const DRAFT_STATUS = {
  pending: "Unsaved changes",
  saving: "Saving…",
  saved: "Saved",
  error: "Not saved: will retry when you type",
  unavailable: "Not saved: drafts are unavailable",
};

export function createDraftSaver({
  save,
  onStatus = () => {},
  delay = 800,
  initial = "",
  setTimer = (fn, ms) => setTimeout(fn, ms),
  clearTimer = (t) => clearTimeout(t),
}) {
  let saved = initial;
  let latest = initial;
  let timer = null;
  let inFlight = null;

  async function flush() {
    if (timer !== null) {
      clearTimer(timer);
      timer = null;
    }
    if (inFlight) await inFlight.catch(() => {});
    if (latest === saved) return;
    const text = latest;
    onStatus("saving");
    inFlight = Promise.resolve().then(() => save(text));
    try {
      await inFlight;
      saved = text;
      onStatus(latest === saved ? "saved" : "pending");
    } catch (error) {
      onStatus(error && error.unavailable ? "unavailable" : "error");
    } finally {
      inFlight = null;
    }
  }

  return {
    change(text) {
      latest = text;
      if (latest === saved) return;
      onStatus("pending");
      if (timer !== null) clearTimer(timer);
      timer = setTimer(() => {
        timer = null;
        flush();
      }, delay);
    },
    flush,
    get dirty() {
      return latest !== saved;
    },
    get latest() {
      return latest;
    },
  };
}
