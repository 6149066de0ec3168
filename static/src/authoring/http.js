// JSON requests of the course editor, with the session cookie and Django's CSRF header.
// Every failure becomes a RequestError whose message can be shown as it is: the server's
// own `error` when it sent one, else what went wrong in words.
import { csrfToken } from "../lesson/csrf.js";

export class RequestError extends Error {
  constructor(message, { status = 0, data = null } = {}) {
    super(message);
    this.status = status; // 0: no answer at all
    this.data = data; // the JSON body of a refusal, when there was one
  }
}

export const isAbort = (error) => Boolean(error) && error.name === "AbortError";

export async function requestJson(url, { method = "GET", body, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") {
    headers["Content-Type"] = "application/json";
    headers["X-CSRFToken"] = csrfToken();
  }
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new RequestError("Could not reach the server: check your connection and try again.");
  }
  let data = null;
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json")) {
    try {
      data = await response.json();
    } catch (error) {
      if (isAbort(error)) throw error;
      data = null;
    }
  }
  if (!response.ok) {
    const said = data && typeof data.error === "string" && data.error ? data.error : data && typeof data.detail === "string" ? data.detail : "";
    const words = said || (response.status === 403
      ? "The server refused (403): your session may have ended; reload the page to log in again."
      : `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}.`);
    throw new RequestError(words, { status: response.status, data });
  }
  if (data === null || typeof data !== "object") {
    // A log-in page or a proxy's error page answers 200 with HTML.
    throw new RequestError("The server's answer was not the JSON expected; reload the page (you may have been logged out).", { status: response.status });
  }
  return { status: response.status, data };
}
