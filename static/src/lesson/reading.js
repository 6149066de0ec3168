import { csrfToken } from "./csrf.js";

const SAVE_DELAY_MS = 1200;

// How far through the element the reader is: 0 with its top at the top of the window,
// 1 once its bottom is in view.
export function readFraction(rect, viewportHeight) {
  const travel = rect.height - viewportHeight;
  if (travel <= 0) return rect.top <= 0 ? 1 : 0;
  return Math.min(1, Math.max(0, -rect.top / travel));
}

export function debounce(fn, wait) {
  let timer = null;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
  debounced.flush = (...args) => {
    clearTimeout(timer);
    fn(...args);
  };
  return debounced;
}

export function mountReadingPosition(body) {
  const url = body.dataset.readingUrl;
  if (!url) return; // anonymous visitors: nothing is stored
  const saved = parseFloat(body.dataset.readingPosition || "0");

  // Restore, unless the address points somewhere (a #checkpoint link, an anchor).
  if (saved > 0.02 && !window.location.hash) {
    const rect = body.getBoundingClientRect();
    const travel = rect.height - window.innerHeight;
    if (travel > 0) window.scrollTo({ top: window.scrollY + rect.top + saved * travel });
  }

  let last = saved;
  const save = () => {
    const fraction = Math.round(readFraction(body.getBoundingClientRect(), window.innerHeight) * 1000) / 1000;
    if (Math.abs(fraction - last) < 0.01) return;
    last = fraction;
    const data = new URLSearchParams({ position: String(fraction) });
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": csrfToken() },
    }).catch(() => {}); // losing one position update is harmless
  };
  const debounced = debounce(save, SAVE_DELAY_MS);
  window.addEventListener("scroll", () => debounced(), { passive: true });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") debounced.flush();
  });
}
