"""The status page: what an instructor looks at when grading seems slow or stuck."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from grading import status
from grading.models import Submission
from tests.factories import SubmissionFactory
from tests.grading.factories import mean_abs_exercise


@pytest.fixture(autouse=True)
def fresh_reports():
    cache.delete(status.REPORTS_KEY)
    yield
    cache.delete(status.REPORTS_KEY)


@pytest.fixture
def teacher(instructor):
    """Staff: the status page shows host names and self-test reasons."""
    return instructor


def graded(student, exercise, attempt, seconds):
    now = timezone.now()
    return SubmissionFactory(
        student=student,
        exercise=exercise,
        attempt=attempt,
        verdict="passed",
        score=1.0,
        created_at=now - timedelta(seconds=seconds),
        finished_at=now,
    )


def test_students_and_cohort_instructors_cannot_see_the_status_page(
    client, student, cohort_instructor
):
    from courses.services import cohort_create

    cohort_create(course=mean_abs_exercise().course, name="G", created_by=cohort_instructor)
    for user in (student, cohort_instructor):
        client.force_login(user)
        assert client.get("/status/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/status/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_shows_latency_percentiles_of_the_last_hour(client, teacher, student):
    exercise = mean_abs_exercise()
    for attempt, seconds in enumerate([0.5] * 10 + [2.0] * 9 + [9.0], start=1):
        graded(student, exercise, attempt, seconds)
    old = graded(student, exercise, 99, 1.0)
    Submission.objects.filter(id=old.id).update(finished_at=timezone.now() - timedelta(hours=2))
    client.force_login(teacher)
    data = client.get("/status/?format=json").json()
    assert data["latency"]["count"] == 20
    assert data["latency"]["p50_s"] == pytest.approx(1.25, abs=0.05)
    assert data["latency"]["p95_s"] == pytest.approx(2.0, abs=0.05)


def test_it_counts_the_backlog_and_asks_the_broker_for_queue_depths(client, teacher, student):
    exercise = mean_abs_exercise()
    for attempt, state in enumerate(["queued", "queued", "running"], start=1):
        SubmissionFactory(student=student, exercise=exercise, attempt=attempt, state=state)
    client.force_login(teacher)
    data = client.get("/status/?format=json").json()
    assert data["backlog"] == {"queued": 2, "running": 1}
    assert set(data["queues"]) == {"grading", "feedback", "regrade", "outbound", "celery"}
    assert all(isinstance(depth, int) for depth in data["queues"].values())


def test_a_failed_sandbox_self_test_is_shown_as_refused_grading(client, teacher):
    status.report_sandbox(ok=False, reason="isolation checks failed: seccomp unavailable")
    client.force_login(teacher)
    page = client.get("/status/").content.decode()
    assert "Grading is refused" in page
    assert "seccomp unavailable" in page


def test_a_passing_self_test_from_a_worker_process_means_grading_runs(client, teacher, fresh_pool):
    from grading.worker import selftest_on_start

    assert selftest_on_start() is True  # what each prefork child does as it starts
    client.force_login(teacher)
    data = client.get("/status/?format=json").json()
    assert data["grading_possible"] is True
    assert data["sandbox"][0]["ok"] is True


def test_the_page_still_answers_when_the_broker_is_down(client, teacher, settings, monkeypatch):
    from config.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    client.force_login(teacher)
    response = client.get("/status/?format=json")
    assert response.status_code == 200
    data = response.json()
    assert data["workers"] is None or data["workers"] == []


def test_a_grading_process_that_stops_withdraws_its_report(client, teacher, fresh_pool):
    from grading.worker import selftest_on_start, withdraw_on_stop

    assert selftest_on_start() is True
    client.force_login(teacher)
    assert client.get("/status/?format=json").json()["grading_possible"] is True
    withdraw_on_stop()  # what Celery calls as the pool process exits
    data = client.get("/status/?format=json").json()
    assert data["grading_possible"] is False
    assert data["sandbox"] == []
