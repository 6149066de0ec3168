"""Prometheus metrics at GET /metrics, for operators and for the workers' autoscaler.

What grading looks like comes from the status page's own functions (grading/status.py),
read afresh on each scrape by `GradingCollector`, so /metrics and /status/ never
disagree:

- ``descent_queue_depth{queue}``: messages waiting per Celery queue. The autoscaler reads
  ``descent_queue_depth{queue="grading"}``: keep the name. A broker that cannot be asked
  leaves the depths out and says ``descent_broker_up 0``.
- ``descent_backlog{state="queued"|"running"}``: submissions in the database.
- ``descent_verdict_latency_seconds``: submit-to-verdict time of the submissions graded
  in the last hour (status.LATENCY_WINDOW), as a gauge histogram, and
  ``descent_recent_verdicts{verdict}``, the same submissions by verdict. A window, not
  counters since start: nothing in the web keeps a running count of verdicts (workers
  record them in the database), and counting all of history on each scrape would grow
  with it. The window is one aggregate query (status.latency_by_verdict) that reads only
  the hour's rows with an index on (state, finished_at), and scans the table without
  one (about 0.1 s at 200,000 rows). The figures go up and down, so read them without
  ``rate()``: ``histogram_quantile(0.95, descent_verdict_latency_seconds_bucket)``.
- ``descent_workers``: workers answering the broadcast ping, which waits a second for
  replies; the answer is kept in the cache for status.WORKERS_CACHE_S, so frequent
  scrapes (and the status page) share one ping.
- ``descent_sandbox_ok{process}``: each grading process's self-test (1 passed, 0 failed),
  and ``descent_grading_possible``: at least one passed. Both come from the cache; a cache
  that cannot be read leaves them out and says ``descent_cache_up 0``. Likewise
  ``descent_database_up 0`` when the database does not answer.
- ``descent_http_request_duration_seconds{method, view, status}``: time to answer each web
  request, observed by config/metrics_middleware.py. ``view`` is the URL's route name
  (``grading:exercise``), "static" or "unmatched", never the path, and ``method`` is one
  of the standard ones or "other": a label taken from what clients send would grow
  without bound.

Several web processes (gunicorn --workers N): with PROMETHEUS_MULTIPROC_DIR set, every
process writes its request histogram to files in that directory and a scrape, whichever
process answers it, adds up all of them (prometheus_client's multiprocess mode). The
directory must be empty when gunicorn starts (a tmpfs, or ``rm -rf`` before it) and be
the same for all its workers. gunicorn's ``child_exit`` hook with ``mark_process_dead``
is not needed: it only tidies "live" gauges, and the only metric the processes keep is a
histogram. Without the variable each process keeps its own histogram, and a scrape sees
the one process that answered it.

Who may read it: nobody unless METRICS_TOKEN is set (the endpoint is then a 404); with
it, a scraper sending ``Authorization: Bearer <METRICS_TOKEN>``, and staff who are
logged in (they see more on /status/ already). Anyone else gets a 401 and no figures.
"""

from __future__ import annotations

import hmac
import logging
import os

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import GaugeHistogramMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from . import status
from .models import Submission

log = logging.getLogger("descent.web")

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if MULTIPROC_DIR:
    # prometheus_client opens its files here on the first observation.
    os.makedirs(MULTIPROC_DIR, exist_ok=True)

# Up to 30 s: the API's ?wait= holds a request open for up to 20 s by design.
HTTP_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0)
HTTP_REQUEST_DURATION = Histogram(
    "descent_http_request_duration_seconds",
    "Time to answer a web request, by method, route name and status class.",
    ["method", "view", "status"],
    buckets=HTTP_BUCKETS_S,
    registry=None,  # a scrape's registry adds it (single process) or reads its files
)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class GradingCollector(Collector):
    """The status page's figures as metric families, read on each scrape. A figure whose
    source does not answer is left out, and that source's ``_up`` gauge is 0."""

    def collect(self):
        yield from self._broker()
        yield from self._database()
        yield from self._sandboxes()

    def _broker(self):
        depths = status.queue_depths()
        answered = status.broker_answered(depths)
        queues = GaugeMetricFamily(
            "descent_queue_depth", "Messages waiting in each Celery queue.", labels=["queue"]
        )
        for queue, depth in depths.items():
            if depth is not None:
                queues.add_metric([queue], depth)
        yield queues
        yield _gauge(
            "descent_broker_up", "1 if the broker gave the queue depths, else 0.", int(answered)
        )
        workers = status.workers_if_reachable(depths)
        if workers is not None:
            yield _gauge(
                "descent_workers",
                f"Workers that answered a ping (kept {status.WORKERS_CACHE_S} s).",
                len(workers),
            )

    def _database(self):
        try:
            backlog = status.backlog()
            by_verdict = status.latency_by_verdict()
        except DatabaseError as exc:
            log.warning("event=metrics_database_unavailable error=%r", str(exc)[:300])
            yield _gauge("descent_database_up", "1 if the database answered, else 0.", 0)
            return
        yield _gauge("descent_database_up", "1 if the database answered, else 0.", 1)
        states = GaugeMetricFamily(
            "descent_backlog", "Submissions waiting for or in grading.", labels=["state"]
        )
        for state, count in backlog.items():
            states.add_metric([state], count)
        yield states
        window = int(status.LATENCY_WINDOW.total_seconds())
        verdicts = GaugeMetricFamily(
            "descent_recent_verdicts",
            f"Submissions graded in the last {window} s, by verdict.",
            labels=["verdict"],
        )
        for verdict in Submission.Verdict:
            verdicts.add_metric([verdict.value], by_verdict.get(verdict.value, {}).get("count", 0))
        yield verdicts
        yield _latency_histogram(by_verdict, window)

    def _sandboxes(self):
        reports = status.read_sandbox_reports()
        yield _gauge(
            "descent_cache_up", "1 if the cache (sandbox reports) could be read, else 0.",
            int(reports is not None),
        )  # fmt: skip
        if reports is None:
            return
        sandboxes = GaugeMetricFamily(
            "descent_sandbox_ok",
            "1 if the grading process's sandbox passed its self-test, 0 if it failed.",
            labels=["process"],
        )
        for report in reports:
            sandboxes.add_metric([report["process"]], int(report["ok"]))
        yield sandboxes
        yield _gauge(
            "descent_grading_possible",
            "1 if at least one grading process passed its sandbox self-test.",
            int(any(report["ok"] for report in reports)),
        )


def _latency_histogram(by_verdict: dict[str, dict], window: int) -> GaugeHistogramMetricFamily:
    total = sum(figures["count"] for figures in by_verdict.values())
    cumulative = [
        sum(figures["buckets"][i] for figures in by_verdict.values())
        for i in range(len(status.LATENCY_BUCKETS_S))
    ]
    buckets = [
        (str(bound), count)
        for bound, count in zip(status.LATENCY_BUCKETS_S, cumulative, strict=True)
    ]
    buckets.append(("+Inf", total))
    return GaugeHistogramMetricFamily(
        "descent_verdict_latency_seconds",
        f"Submit-to-verdict time of the submissions graded in the last {window} s.",
        buckets=buckets,
        gsum_value=sum(figures["sum_s"] for figures in by_verdict.values()),
    )


def scrape_registry() -> CollectorRegistry:
    """A registry for one scrape (never prometheus_client's global one): the grading
    figures, and the request histogram of this process or of all of them."""
    registry = CollectorRegistry()
    registry.register(GradingCollector())
    if MULTIPROC_DIR:
        MultiProcessCollector(registry, path=MULTIPROC_DIR)
    else:
        registry.register(HTTP_REQUEST_DURATION)
    return registry


def bearer_or_staff(request, token: str) -> bool:
    """A client sending "Authorization: Bearer <token>" (a non-empty token), or a
    logged-in staff user: who may read /metrics, and /healthz's details."""
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    if (
        token
        and scheme.lower() == "bearer"
        and hmac.compare_digest(
            credential.strip().encode("utf-8", "replace"), token.encode("utf-8")
        )
    ):
        return True
    try:
        return bool(request.user.is_staff)
    except DatabaseError:  # the session lives in the database; a scrape must not crash
        return False


@require_GET
@never_cache
def metrics_view(request):
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("Metrics are off: METRICS_TOKEN is not set.")
    if not bearer_or_staff(request, token):
        response = HttpResponse(
            "A bearer token is required.\n", status=401, content_type="text/plain"
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encode(scrape_registry()), content_type=content_type)
