"""GET /metrics: the status page's figures for Prometheus, behind a bearer token."""

from datetime import timedelta

import pytest
from celery import current_app
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from grading import status
from grading.models import Submission
from tests.factories import SubmissionFactory
from tests.helpers import clean_env, run_python

TOKEN = "scraper-secret-0123"
BEARER = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


@pytest.fixture(autouse=True)
def fresh_cache():
    """No sandbox report or remembered ping from an earlier test."""
    keys = [status.REPORTS_KEY, status.WORKERS_KEY]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def scrape(client, headers=BEARER) -> dict[tuple, float]:
    """Every sample of a scrape, keyed by (name, sorted labels)."""
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def names(samples: dict) -> set[str]:
    return {name for name, _ in samples}


def graded(student, exercise, *, seconds: float, verdict: str = "passed", ago_s: float = 0):
    finished = timezone.now() - timedelta(seconds=ago_s)
    return SubmissionFactory(
        student=student,
        exercise=exercise,
        verdict=verdict,
        created_at=finished - timedelta(seconds=seconds),
        finished_at=finished,
    )


def test_it_is_off_when_no_token_is_set(client, settings, instructor):
    settings.METRICS_TOKEN = None
    assert client.get("/metrics", **BEARER).status_code == 404
    client.force_login(instructor)  # staff included: off means off
    response = client.get("/metrics")
    assert response.status_code == 404
    assert b"descent_" not in response.content


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-secret", f"Token {TOKEN}", f"Bearer {TOKEN}x", "Bearer é"],
)
def test_a_missing_or_wrong_token_gets_a_401_and_no_figures(client, db, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = client.get("/metrics", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"descent_" not in response.content


def test_a_logged_in_student_cannot_read_it_and_staff_can(client, student, instructor):
    client.force_login(student)
    assert client.get("/metrics").status_code == 401
    client.force_login(instructor)
    assert ("descent_broker_up", ()) in scrape(client, headers={})


def test_it_answers_get_only(client, db):
    assert client.post("/metrics", **BEARER).status_code == 405


def test_the_backlog_latency_buckets_and_verdicts_count_the_last_hour(
    client, student, exercise, make_submission
):
    for state in ("queued", "queued", "running"):
        make_submission(student, exercise, state=state)
    took = [(0.05, "passed"), (0.3, "passed"), (0.3, "failed"), (4, "failed"), (45, "error")]
    for seconds, verdict in [*took, (120, "timeout")]:
        graded(student, exercise, seconds=seconds, verdict=verdict)
    graded(student, exercise, seconds=0.2, ago_s=2 * 3600)  # before the window
    make_submission(student, exercise, state="blocked", finished_at=timezone.now())

    samples = scrape(client)

    assert samples[("descent_backlog", (("state", "queued"),))] == 2
    assert samples[("descent_backlog", (("state", "running"),))] == 1
    assert samples[("descent_database_up", ())] == 1
    buckets = {
        dict(labels)["le"]: value
        for (name, labels), value in samples.items()
        if name == "descent_verdict_latency_seconds_bucket"
    }
    assert buckets == {
        "0.1": 1, "0.25": 1, "0.5": 3, "1.0": 3, "2.5": 3, "5.0": 4,
        "10.0": 4, "20.0": 4, "30.0": 4, "60.0": 5, "+Inf": 6,
    }  # fmt: skip
    assert samples[("descent_verdict_latency_seconds_gcount", ())] == 6
    assert samples[("descent_verdict_latency_seconds_gsum", ())] == pytest.approx(169.65)
    verdicts = {
        dict(labels)["verdict"]: value
        for (name, labels), value in samples.items()
        if name == "descent_recent_verdicts"
    }
    assert verdicts == {v.value: 0 for v in Submission.Verdict} | {
        "passed": 2, "failed": 2, "error": 1, "timeout": 1,
    }  # fmt: skip


def test_a_scrape_costs_two_queries_however_many_submissions(client, student, exercise):
    for n in range(30):
        graded(student, exercise, seconds=n / 10)
    with CaptureQueriesContext(connection) as queries:
        scrape(client)
    assert len(queries) == 2  # the backlog and one aggregate over the window


def test_web_requests_are_timed_by_route_name_never_by_path(client, exercise):
    def count(samples, view, status_class):
        labels = (("method", "GET"), ("status", status_class), ("view", view))
        return samples.get(("descent_http_request_duration_seconds_count", labels), 0)

    page = f"/courses/{exercise.course.slug}/exercises/{exercise.slug}/"
    before = scrape(client)
    client.get(page)  # anonymous: sent to log in
    client.get("/no/such/page-4242")
    after = scrape(client)

    assert count(after, "grading:exercise", "3xx") == count(before, "grading:exercise", "3xx") + 1
    assert count(after, "unmatched", "4xx") == count(before, "unmatched", "4xx") + 1
    views = {dict(labels).get("view") for _, labels in after}
    assert not any("/" in view or exercise.slug in view for view in views if view)


def test_each_grading_process_sandbox_report_is_a_sample(client, db):
    status.report_sandbox(ok=False, reason="isolation checks failed")
    process = status.sandbox_reports()[0]["process"]
    samples = scrape(client)
    assert samples[("descent_sandbox_ok", (("process", process),))] == 0
    assert samples[("descent_grading_possible", ())] == 0
    assert samples[("descent_cache_up", ())] == 1

    status.report_sandbox(ok=True, reason="")
    samples = scrape(client)
    assert samples[("descent_sandbox_ok", (("process", process),))] == 1
    assert samples[("descent_grading_possible", ())] == 1


@pytest.fixture
def waiting_grading_messages():
    """Two messages on the grading queue that no worker takes (none listens to this
    Redis database in tests); purged afterwards."""
    for n in range(2):
        current_app.send_task("grading.grade_submission", args=[-1 - n], queue="grading")
    yield 2
    with current_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("grading")


def test_the_status_page_and_metrics_agree(
    client, instructor, student, exercise, make_submission, waiting_grading_messages
):
    for state in ("queued", "running", "running"):
        make_submission(student, exercise, state=state)
    for seconds in (0.4, 3.0, 12.0):
        graded(student, exercise, seconds=seconds)
    status.report_sandbox(ok=True, reason="")
    client.force_login(instructor)

    page = client.get("/status/?format=json").json()
    samples = scrape(client)

    depths = {
        dict(labels)["queue"]: value
        for (name, labels), value in samples.items()
        if name == "descent_queue_depth"
    }
    assert depths == page["queues"]
    assert depths["grading"] >= waiting_grading_messages
    for state, count in page["backlog"].items():
        assert samples[("descent_backlog", (("state", state),))] == count
    assert samples[("descent_verdict_latency_seconds_gcount", ())] == page["latency"]["count"] == 3
    assert samples[("descent_workers", ())] == len(page["workers"])
    assert samples[("descent_grading_possible", ())] == int(page["grading_possible"]) == 1


def test_a_broker_that_is_down_leaves_out_the_depths_and_says_so(
    client, instructor, student, exercise, make_submission, monkeypatch
):
    make_submission(student, exercise, state="queued")
    monkeypatch.setattr(current_app.conf, "broker_url", DEAD_BROKER)

    samples = scrape(client)

    assert samples[("descent_broker_up", ())] == 0
    assert "descent_queue_depth" not in names(samples)
    assert "descent_workers" not in names(samples)  # no ping without a broker
    assert samples[("descent_backlog", (("state", "queued"),))] == 1
    # The status page says the same: no depth, and no worker could be asked.
    client.force_login(instructor)
    page = client.get("/status/?format=json").json()
    assert page["queues"] == dict.fromkeys(status.QUEUES)
    assert page["workers"] is None


def test_a_cache_that_is_down_leaves_out_the_sandbox_reports_and_says_so(client, settings, db):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_BROKER,
        }
    }
    samples = scrape(client)
    assert samples[("descent_cache_up", ())] == 0
    assert not {"descent_sandbox_ok", "descent_grading_possible"} & names(samples)
    assert samples[("descent_broker_up", ())] == 1
    assert samples[("descent_database_up", ())] == 1


def test_with_a_multiprocess_directory_a_scrape_adds_up_every_process(tmp_path):
    """gunicorn's workers are separate processes; whichever answers the scrape reports
    the requests of all of them (prometheus_client's multiprocess mode)."""
    env = clean_env(
        DEBUG="1",
        DESCENT_VAR_DIR=str(tmp_path / "var"),
        ALLOWED_HOSTS="testserver",
        METRICS_TOKEN=TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    request = (
        "import django; django.setup(); from django.test import Client; "
        "response = Client().get({path!r}, HTTP_AUTHORIZATION={auth!r}); "
        "print(response.status_code); print(response.content.decode())"
    )
    for _ in range(2):
        done = run_python(request.format(path="/no/such/page", auth=""), env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("404")
    done = run_python(request.format(path="/metrics", auth=f"Bearer {TOKEN}"), env)
    assert done.returncode == 0, done.stderr
    status_line, _, text = done.stdout.partition("\n")
    assert status_line == "200"
    counts = {
        tuple(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "descent_http_request_duration_seconds_count"
    }
    assert counts == {(("method", "GET"), ("status", "4xx"), ("view", "unmatched")): 2}
