"""Descent inside the LMS's frame. Every page refuses to be framed (X-Frame-Options and
the policy's frame-ancestors 'none') except for a session an LTI launch began: those
pages may be framed by that LMS — the origins of its issuer and authorisation URL, and
LTI_FRAME_ANCESTORS for an LMS whose pages live elsewhere (a school's own Canvas
address, say). The login and launch pages allow the registration's origins from the
start, so a refusal or the cookie check shows inside the frame too.

Cookies in a frame are third-party cookies: with LTI_CROSS_SITE_COOKIES the session and
CSRF cookies are SameSite=None (and Secure, so HTTPS only). Where the browser blocks
them anyway, the login's cookie check (templates/lti/cookie_check.html) offers to open
Descent in a new tab, where the same login runs unframed."""

from urllib.parse import urlsplit

from django.conf import settings

from courses.lesson_shell import FRAMED_COOKIE

FRAME_KEY = "lti_frame_ancestors"


def origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def ancestors_for(registration) -> list[str]:
    found = {origin(registration.issuer), origin(registration.auth_url)}
    found |= set(settings.LTI_FRAME_ANCESTORS)
    return sorted(item for item in found if item)


def allow_framing(response, ancestors: list[str]):
    """Let these origins frame this response (django-csp and XFrameOptionsMiddleware
    read the two attributes on the way out)."""
    if ancestors:
        response._csp_replace = {"frame-ancestors": list(ancestors)}
        response.xframe_options_exempt = True
    return response


class FramedByPlatformMiddleware:
    """Pages of a session an LTI launch began may be framed by that LMS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        ancestors = (
            session.get(FRAME_KEY) if session is not None and not session.is_empty() else None
        )
        framed = request.COOKIES.get(FRAMED_COOKIE)
        if isinstance(ancestors, list):
            allow_framing(response, [a for a in ancestors if isinstance(a, str)])
            if not framed:
                # Tells the lesson pages' shared-page middleware, which answers before the
                # session is read, to let the whole page answer (its framing needs it).
                response.set_cookie(
                    FRAMED_COOKIE,
                    "1",
                    max_age=settings.SESSION_COOKIE_AGE,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite=settings.SESSION_COOKIE_SAMESITE,
                )
        elif framed and session is not None:
            response.delete_cookie(FRAMED_COOKIE, samesite=settings.SESSION_COOKIE_SAMESITE)
        return response
