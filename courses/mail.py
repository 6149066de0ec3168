"""What every e-mail the site sends shares: whether mail goes out at all, and a subject
that is one line (Django refuses a header with a line break in it, failing the send)."""

from django.conf import settings

DUMMY_MAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
SUBJECT_MAX_CHARS = 200


def mail_configured() -> bool:
    """Mail goes out unless the dummy backend is set (the console backend counts: in
    development the messages are printed)."""
    return settings.EMAIL_BACKEND != DUMMY_MAIL_BACKEND


def one_line(text: str, limit: int = SUBJECT_MAX_CHARS) -> str:
    """``text`` on one line, clipped to ``limit`` characters with an ellipsis."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
