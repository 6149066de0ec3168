import logging
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import server_error as plain_server_error

from grading import health, metrics
from grading.status import snapshot
from teaching.access import may_teach

from .middleware import outage_response

log = logging.getLogger("descent.web")


def _may_see_health_details(request) -> bool:
    """Staff, or a monitor with HEALTHZ_TOKEN. Everyone else gets the status alone: the
    names and state of the components tell an outsider what to attack, and when."""
    return metrics.bearer_or_staff(request, settings.HEALTHZ_TOKEN)


@require_GET
@never_cache
def healthz(request):
    """200 {"status": "ok"} or 503 {"status": "unavailable"}; load balancers and
    docker-compose's healthcheck read only the status code."""
    checks = {}
    probes = {
        "database": health.database_state,
        "broker": health.broker_state,
        "sandbox": health.sandbox_state,
    }
    for name in settings.HEALTHZ_CHECKS:
        ok, detail = probes[name]()
        if not ok:
            # The reason (host names, driver errors) is for the log, not for anyone who
            # can reach a load balancer's probe URL.
            log.error("event=health_check_failed check=%s detail=%r", name, detail)
            detail = "unavailable (the reason is in the server log)"
        checks[name] = {"ok": ok, "detail": detail}
    healthy = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if healthy else "unavailable"}
    if _may_see_health_details(request):
        body["checks"] = checks
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
@require_GET
@never_cache
def status(request):
    """Is grading keeping up, and can it run? For staff."""
    if not request.user.is_staff:
        # Host names, self-test failure reasons, and a broadcast ping on every view.
        raise PermissionDenied("The status page is for the platform's staff.")
    data = snapshot()
    if request.GET.get("format") == "json":
        return JsonResponse(data)
    return render(request, "status.html", {"status": data})


def server_error(request):
    """handler500: a database outage that surfaced outside a view (in the session or
    auth layer) still gets the 503 page; anything else is Django's plain 500."""
    return outage_response(request, sys.exc_info()[1]) or plain_server_error(request)


@require_GET
@login_required
def landing(request):
    """Where log-in sends a user who did not ask for a page: instructors to the teaching
    home, everyone else to their courses."""
    return redirect("teaching:home" if may_teach(request.user) else "courses:home")
