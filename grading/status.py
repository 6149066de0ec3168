"""The figures behind the status page: is grading keeping up, and can it run at all?

- queue depth per Celery queue (from the broker) and the backlog in the database
  (queued and running submissions: what the broker cannot lose track of);
- submit-to-verdict latency, p50 and p95, over the last hour;
- workers alive (a broadcast ping) and each grading process's sandbox self-test, which
  the process reports here when it starts (grading/worker.py) and which lives in the
  shared cache (Redis in production, files under var/ on the embedded defaults).

Every function answers even when a service is down: a status page that crashes is no
help to whoever is looking at it during an incident.
"""

from __future__ import annotations

import os
import socket
import statistics
import time
from datetime import UTC, datetime, timedelta

from celery import current_app
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from .models import Submission

QUEUES = ("grading", "feedback", "regrade", "celery")
REPORTS_KEY = "descent:sandbox-reports"
REPORT_TTL_S = 24 * 3600


def queue_depths() -> dict[str, int | None]:
    """Messages waiting per queue; None when the broker cannot be asked."""
    depths: dict[str, int | None] = {}
    try:
        with current_app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            channel = conn.default_channel
            for queue in QUEUES:
                try:
                    depths[queue] = channel.queue_declare(queue=queue, passive=True).message_count
                except Exception:
                    # Redis has no empty queues: a queue nobody wrote to is not there.
                    depths[queue] = 0
                    channel = conn.channel()
    except Exception:
        return dict.fromkeys(QUEUES)
    return depths


def backlog() -> dict[str, int]:
    counts = {"queued": 0, "running": 0}
    rows = Submission.objects.filter(state__in=list(counts)).values("state").order_by()
    for row in rows.annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    return counts


def _percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def grading_latency(*, window: timedelta = timedelta(hours=1)) -> dict:
    """Submit-to-verdict time of the submissions graded within `window`."""
    since = timezone.now() - window
    rows = Submission.objects.filter(
        state=Submission.State.DONE, finished_at__gte=since
    ).values_list("created_at", "finished_at")
    seconds = sorted((done - made).total_seconds() for made, done in rows)
    if not seconds:
        return {"count": 0, "p50_s": None, "p95_s": None}
    return {
        "count": len(seconds),
        "p50_s": round(statistics.median(seconds), 3),
        "p95_s": round(_percentile(seconds, 0.95), 3),
    }


def workers_alive(timeout: float = 1.0) -> list[str] | None:
    """Host names of the workers that answer a ping; None when the broker is down."""
    try:
        replies = current_app.control.ping(timeout=timeout)
    except Exception:
        return None
    return sorted(name for reply in replies for name in reply)


def report_sandbox(*, ok: bool, reason: str) -> None:
    """A grading process says whether its sandbox passed the self-test."""
    key = f"{socket.gethostname()}:{os.getpid()}"
    try:
        reports = cache.get(REPORTS_KEY) or {}
        now = time.time()
        reports = {k: v for k, v in reports.items() if now - v["at"] < REPORT_TTL_S}
        reports[key] = {"ok": ok, "reason": reason[:500], "at": now}
        cache.set(REPORTS_KEY, reports, REPORT_TTL_S)
    except Exception:
        pass  # the status page will say it has no report


def withdraw_sandbox_report() -> None:
    """A grading process that stops takes its report with it, so the page does not count
    a process that is gone (one killed outright ages out after REPORT_TTL_S)."""
    key = f"{socket.gethostname()}:{os.getpid()}"
    try:
        reports = cache.get(REPORTS_KEY) or {}
        if reports.pop(key, None) is not None:
            cache.set(REPORTS_KEY, reports, REPORT_TTL_S)
    except Exception:
        pass


def sandbox_reports() -> list[dict]:
    try:
        reports = cache.get(REPORTS_KEY) or {}
    except Exception:
        return []
    return [
        {
            "process": key,
            "ok": value["ok"],
            "reason": value["reason"],
            "reported_at": datetime.fromtimestamp(value["at"], tz=UTC),
        }
        for key, value in sorted(reports.items(), key=lambda item: -item[1]["at"])
    ]


def snapshot() -> dict:
    reports = sandbox_reports()
    return {
        "queues": queue_depths(),
        "backlog": backlog(),
        "latency": grading_latency(),
        "workers": workers_alive(),
        "sandbox": reports,
        "grading_possible": any(r["ok"] for r in reports),
    }
