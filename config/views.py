from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from grading import health


@require_GET
@never_cache
def healthz(request):
    checks = {}
    probes = {
        "database": health.database_state,
        "broker": health.broker_state,
        "sandbox": health.sandbox_state,
    }
    for name in settings.HEALTHZ_CHECKS:
        ok, detail = probes[name]()
        checks[name] = {"ok": ok, "detail": detail}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )


@login_required
@require_GET
@never_cache
def status(request):
    """Is grading keeping up, and can it run? For staff and cohort instructors."""
    from courses.models import Membership
    from grading.status import snapshot

    teaches = Membership.objects.filter(user=request.user, role=Membership.Role.INSTRUCTOR)
    if not (request.user.is_staff or teaches.exists()):
        raise PermissionDenied("The status page is for instructors.")
    data = snapshot()
    if request.GET.get("format") == "json":
        return JsonResponse(data)
    return render(request, "status.html", {"status": data})
