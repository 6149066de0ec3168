"""Times every web request into the histogram /metrics shows (grading/metrics.py).

First in MIDDLEWARE, so the time covers the whole stack: redirects, static files, the
session and every page. Labels come from a fixed set, never from what a client sends:
the route name the URL resolved to ("unmatched" when none did, "static" for files under
STATIC_URL), the method if it is a standard one ("other" if not) and the status class.
"""

import logging
import time

from django.conf import settings

from grading.metrics import HTTP_REQUEST_DURATION

log = logging.getLogger("descent.web")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_label(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name
    if request.path.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


class RequestTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._failed = False

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        try:
            HTTP_REQUEST_DURATION.labels(
                method=request.method if request.method in METHODS else "other",
                view=route_label(request),
                status=f"{response.status_code // 100}xx",
            ).observe(time.perf_counter() - started)
        except Exception as exc:  # a metric must never cost a request its answer
            if not self._failed:  # once per process, not once per request
                self._failed = True
                log.error("event=metrics_observe_failed error=%r", str(exc)[:300])
        return response
