"""What the grading tasks do with submissions built to break the trusted side: every path
ends the row (finished or released, never left running), the heartbeat stops, a refinement
that keeps killing its worker gives up, and whatever text came out of the jail is stored
and shown on PostgreSQL and SQLite alike."""

import json
import threading

import pytest
from rest_framework.authtoken.models import Token

from grading import queues, tasks
from grading.grader import MAX_RESULT_BYTES, bounded_result
from grading.models import Submission
from grading.services import MAX_REFINE_ATTEMPTS, submission_create
from tests.grading.factories import GOOD, NO_ABS, make_user, mean_abs_exercise

HOSTILE_TEXT = (
    "import sys\n"
    "def mean_abs(x):\n"
    "    sys.stdout.write('nul\\x00 and \\x1b[2J')\n"
    "    raise ValueError('lone \\ud800 surrogate and \\x00 nul')\n"
)


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr(
        queues, "send", lambda task, submission_id: sent.append((task, submission_id))
    )
    return sent


def heartbeats() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("heartbeat-")]


@pytest.mark.django_db(transaction=True)
def test_a_grader_crash_finishes_the_row_without_blame_and_stops_its_heartbeat(queued, monkeypatch):
    def crashing_grade(**_):
        raise OverflowError("int too large to convert to float")

    monkeypatch.setattr(tasks, "grade", crashing_grade)
    submission, _ = submission_create(
        student=make_user("ov"), exercise=mean_abs_exercise(), source=GOOD
    )
    assert tasks.grade_submission.apply(args=(submission.id,)).get() == "grader failed"
    row = Submission.objects.get(id=submission.id)
    assert (row.state, row.verdict, row.score) == ("done", "error", 0.0)
    assert "not because of your code" in row.result["message"]
    assert heartbeats() == []


@pytest.mark.django_db(transaction=True)
def test_a_refinement_that_keeps_killing_its_worker_gives_up(queued, settings, monkeypatch):
    settings.GRADING_DEFER_SHRINK = True
    wrong, _ = submission_create(
        student=make_user("rk"), exercise=mean_abs_exercise(), source=NO_ABS
    )
    assert tasks.grade_submission.apply(args=(wrong.id,)).get() == "failed"
    assert Submission.objects.get(id=wrong.id).refining

    class WorkerLost(BaseException):
        """What an OOM kill looks like from here: the delivery never returns."""

    def oom_killed(*_, **__):
        raise WorkerLost

    monkeypatch.setattr(tasks, "refine_source", oom_killed)
    for _ in range(MAX_REFINE_ATTEMPTS):
        with pytest.raises(WorkerLost):
            tasks.refine_submission.run(wrong.id)
    assert Submission.objects.get(id=wrong.id).refine_attempts == MAX_REFINE_ATTEMPTS
    # The next redelivery gives up instead of feeding the answer to another worker.
    assert tasks.refine_submission.run(wrong.id) == "gave up"
    row = Submission.objects.get(id=wrong.id)
    assert not row.refining
    assert row.verdict == "failed"


@pytest.mark.django_db(transaction=True)
def test_nul_bytes_and_lone_surrogates_are_stored_and_shown(queued, client):
    student = make_user("nu")
    exercise = mean_abs_exercise()
    submission, _ = submission_create(student=student, exercise=exercise, source=HOSTILE_TEXT)
    assert tasks.grade_submission.apply(args=(submission.id,)).get() == "error"
    row = Submission.objects.get(id=submission.id)
    stored = json.dumps(row.result, ensure_ascii=False)
    assert "\x00" not in stored
    assert "\ud800" not in stored
    assert "\ufffd" in row.result["stdout"]

    client.force_login(student)
    page = client.get(f"/courses/{exercise.course.slug}/exercises/{exercise.slug}/")
    assert page.status_code == 200
    key = Token.objects.get_or_create(user=student)[0].key
    api = client.get(f"/api/v1/submissions/{submission.uuid}", HTTP_AUTHORIZATION=f"Token {key}")
    assert api.status_code == 200
    assert "\ufffd" in api.json()["stdout"]


def test_a_result_over_the_storage_cap_loses_output_and_figures_first():
    figure = {"kind": "trajectory", "student": [[1.0, 2.0]] * 60_000}
    data = {
        "message": "all checks passed",
        "stdout": "x" * 400_000,
        "checks": [{"name": "path", "message": "", "figure": figure, "error": None}],
    }
    kept = bounded_result(data)
    assert len(json.dumps(kept)) <= MAX_RESULT_BYTES
    assert kept["message"] == "all checks passed"
    assert kept["stdout"].startswith("x" * 100)
    assert kept["checks"][0]["figure"] is None
