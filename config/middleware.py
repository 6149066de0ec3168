"""When the database is away, every page answers 503 with a page that says so, instead
of a bare 500 and a traceback in the log for each request. Nothing here touches the
database: the page is rendered from a template with no user, session or messages.
The next request that finds the database back is served normally (CONN_HEALTH_CHECKS
drops dead persistent connections), so the site recovers by itself."""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

log = logging.getLogger("descent.web")

RETRY_AFTER_S = 15


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return outage_response(request, exception)


def outage_response(request, exception) -> HttpResponse | None:
    """The 503 for a database outage, or None for any other exception."""
    if not isinstance(exception, OperationalError | InterfaceError):
        return None
    if isinstance(exception, DatabaseError) and not _looks_like_an_outage(exception):
        return None
    log.error("event=database_unavailable path=%s error=%r", request.path, str(exception)[:300])
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": "The database is unavailable; nothing was lost. Try again shortly."},
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response


def _looks_like_an_outage(exception) -> bool:
    # OperationalError also covers a lock timeout or a bad query plan in some drivers;
    # only connection-level failures are an outage.
    text = str(exception).lower()
    return any(
        phrase in text
        for phrase in (
            "connection",
            "could not connect",
            "server closed",
            "terminating",
            "timeout expired",
            "no such host",
            "unable to open database",
        )
    )
