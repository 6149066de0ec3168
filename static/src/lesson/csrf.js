// Django's CSRF token, from the cookie or (when CSRF_COOKIE_HTTPONLY) from a form's field.
export function csrfToken(doc = document) {
  const field = doc.querySelector("input[name=csrfmiddlewaretoken]");
  if (field && field.value) return field.value;
  const match = doc.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}
