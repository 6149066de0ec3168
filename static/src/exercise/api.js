// JSON calls to the grading API with the session cookie and Django's CSRF header.

export function csrfToken(cookie = typeof document !== "undefined" ? document.cookie : "") {
  for (const part of cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "csrftoken") return decodeURIComponent(rest.join("="));
  }
  return "";
}

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail || `the server answered ${status}`);
    this.status = status;
    this.detail = detail;
    // 404/405: this server has no such endpoint (yet), not a problem with the request.
    this.unavailable = status === 404 || status === 405;
  }
}

export async function api(url, { method = "GET", body, keepalive = false } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") {
    headers["Content-Type"] = "application/json";
    headers["X-CSRFToken"] = csrfToken();
  }
  const response = await fetch(url, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
    keepalive,
  });
  let data = null;
  try {
    data = await response.json();
  } catch (_) {
    data = null;
  }
  if (!response.ok) {
    const detail = data && data.detail;
    throw new ApiError(response.status, Array.isArray(detail) ? detail.join(" ") : detail);
  }
  return { status: response.status, data };
}
