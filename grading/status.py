"""The figures behind the status page: is grading keeping up, and can it run at all?

- queue depth per Celery queue (from the broker) and the backlog in the database
  (queued and running submissions: what the broker cannot lose track of);
- submit-to-verdict latency, p50 and p95, over the last hour;
- workers alive (a broadcast ping) and each grading process's sandbox self-test, which
  the process reports here when it starts (grading/worker.py) and which lives in the
  shared cache (Redis in production, files under var/ on the embedded defaults).

The Prometheus endpoint (grading/metrics.py) reads the same functions, so the page and
the scrape cannot disagree: the same queues, the same backlog query, the same window of
graded submissions, the same remembered ping.

Every function answers even when a service is down: a status page that crashes is no
help to whoever is looking at it during an incident. (The database is the exception:
without it the page is the site's 503, and the metrics leave its figures out.)
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import time
from datetime import UTC, datetime, timedelta

from celery import current_app
from django.core.cache import cache
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from .models import Submission

QUEUES = ("grading", "feedback", "regrade", "outbound", "celery")
REPORTS_KEY = "descent:sandbox-reports"
REPORT_TTL_S = 24 * 3600
WORKERS_KEY = "descent:workers-alive"
# The ping waits its whole timeout for replies; the page and every scrape share one
# answer for this long.
WORKERS_CACHE_S = 15
# Graded submissions the latency figures look at: those whose verdict came this recently.
LATENCY_WINDOW = timedelta(hours=1)
# Upper bounds (seconds) of the submit-to-verdict histogram on /metrics.
LATENCY_BUCKETS_S = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0)


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


def _graded_within(window: timedelta):
    return Submission.objects.filter(
        state=Submission.State.DONE, finished_at__gte=timezone.now() - window
    )


def grading_latency(*, window: timedelta = LATENCY_WINDOW) -> dict:
    """Submit-to-verdict time of the submissions graded within `window`."""
    rows = _graded_within(window).values_list("created_at", "finished_at")
    seconds = sorted((done - made).total_seconds() for made, done in rows)
    if not seconds:
        return {"count": 0, "p50_s": None, "p95_s": None}
    return {
        "count": len(seconds),
        "p50_s": round(statistics.median(seconds), 3),
        "p95_s": round(_percentile(seconds, 0.95), 3),
    }


def latency_by_verdict(*, window: timedelta = LATENCY_WINDOW) -> dict[str, dict]:
    """The submissions graded within `window`, per verdict: how many, their summed
    submit-to-verdict seconds, and how many took at most each of LATENCY_BUCKETS_S
    (cumulative, as a Prometheus histogram counts). One aggregate query whatever the
    number of rows: the database counts, nothing is loaded."""
    took = ExpressionWrapper(F("finished_at") - F("created_at"), output_field=DurationField())
    within = {
        f"le_{i}": Count("id", filter=Q(took__lte=timedelta(seconds=bound)))
        for i, bound in enumerate(LATENCY_BUCKETS_S)
    }
    rows = (
        _graded_within(window)
        .annotate(took=took)
        .values("verdict")
        .order_by()
        .annotate(n=Count("id"), total=Sum("took"), **within)
    )
    return {
        row["verdict"]: {
            "count": row["n"],
            "sum_s": row["total"].total_seconds() if row["total"] is not None else 0.0,
            "buckets": [row[f"le_{i}"] for i in range(len(LATENCY_BUCKETS_S))],
        }
        for row in rows
    }


def workers_alive(timeout: float = 1.0) -> list[str] | None:
    """Host names of the workers that answer a ping; None when the broker is down."""
    try:
        replies = current_app.control.ping(timeout=timeout)
    except Exception:
        return None
    return sorted(name for reply in replies for name in reply)


def workers_alive_cached() -> list[str] | None:
    """workers_alive(), remembered for WORKERS_CACHE_S in the shared cache. A broker that
    is down is remembered too; a cache that is down means asking every time."""
    try:
        remembered = cache.get(WORKERS_KEY)
    except Exception:
        remembered = None
    if remembered is not None:
        return remembered["workers"]
    workers = workers_alive()
    with contextlib.suppress(Exception):
        cache.set(WORKERS_KEY, {"workers": workers}, WORKERS_CACHE_S)
    return workers


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


def read_sandbox_reports() -> list[dict] | None:
    """Each grading process's latest self-test, newest first; None when the cache that
    holds them cannot be read."""
    try:
        reports = cache.get(REPORTS_KEY) or {}
    except Exception:
        return None
    return [
        {
            "process": key,
            "ok": value["ok"],
            "reason": value["reason"],
            "reported_at": datetime.fromtimestamp(value["at"], tz=UTC),
        }
        for key, value in sorted(reports.items(), key=lambda item: -item[1]["at"])
    ]


def sandbox_reports() -> list[dict]:
    return read_sandbox_reports() or []


def broker_answered(depths: dict[str, int | None]) -> bool:
    return all(depth is not None for depth in depths.values())


def workers_if_reachable(depths: dict[str, int | None]) -> list[str] | None:
    """The workers answering a ping, or None without asking when the broker just failed
    to give the queue depths (the ping would only wait its timeout out)."""
    return workers_alive_cached() if broker_answered(depths) else None


def snapshot() -> dict:
    reports = sandbox_reports()
    depths = queue_depths()
    return {
        "queues": depths,
        "backlog": backlog(),
        "latency": grading_latency(),
        "workers": workers_if_reachable(depths),
        "sandbox": reports,
        "grading_possible": any(r["ok"] for r in reports),
    }
