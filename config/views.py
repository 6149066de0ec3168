from django.conf import settings
from django.http import JsonResponse
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
