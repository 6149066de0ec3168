"""Regrading an exercise after its checks change: the service, the chunked Celery work
(for real in the sandbox, and with the engine stubbed where only the bookkeeping is
under test), the start button and the progress endpoint."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from courses.models import Membership
from courses.services import cohort_create, cohort_join
from grading import queues, regrade, tasks
from grading.models import RegradeJob, Submission
from grading.services import submission_create
from judge.engine import GradeResult
from tests.conftest import person
from tests.factories import SubmissionFactory
from tests.helpers import ROOT

COURSE_MIN = ROOT / "tests" / "fixtures" / "course-min"
# Right on every array the fixture's checks draw (at most 2-d), wrong on 3-d ones.
FLAT_ONLY = (
    "import numpy as np\n\n"
    "def mean_abs(x):\n"
    "    if np.ndim(x) == 3:\n"
    "        return 0.0\n"
    "    return float(np.mean(np.abs(x)))\n"
)
# A check the reference passes and FLAT_ONLY fails.
THREE_D_CHECK = """
import numpy as np

def cube(d):
    return (np.ones((2, 2, 2)),)


def is_one(call, out):
    return None if abs(out - 1.0) < 1e-9 else f"got {out} for an array of ones"


CHECKS.append(PropertyCheck("works on 3-d arrays", cube, is_one, cases=1, points=2))
"""


@pytest.fixture
def course_dir(course_min_dir):
    return course_min_dir


@pytest.fixture
def exercise(editable_mean_abs):
    return editable_mean_abs


@pytest.fixture
def cohort(exercise, cohort_instructor):
    return cohort_create(course=exercise.course, name="Tuesday group", created_by=cohort_instructor)


@pytest.fixture
def other_cohort(exercise, other_instructor):
    return cohort_create(course=exercise.course, name="Thursday group", created_by=other_instructor)


@pytest.fixture
def enrolled(cohort, student):
    cohort_join(cohort=cohort, user=student)
    return student


KINDS = {queues.GRADE: "grade", queues.REGRADE_START: "start", queues.REGRADE_CHUNK: "chunk"}


@pytest.fixture
def queued_tasks(monkeypatch):
    """Tasks queued by the code under test, instead of sent to a broker."""
    sent = []
    monkeypatch.setattr(queues, "send", lambda task, *args: sent.append((KINDS[task], args)))
    return sent


@pytest.fixture
def start(django_capture_on_commit_callbacks):
    """regrade_start() with its on-commit queuing run at the end of the call."""

    def start(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return regrade.regrade_start(**kwargs)

    return start


def done_submission(student, exercise, *, source, score=1.0, verdict="passed", **fields):
    return SubmissionFactory(
        student=student,
        exercise=exercise,
        source=source,
        verdict=verdict,
        score=score,
        result={"verdict": verdict, "score": score, "checks": []},
        **fields,
    )


def run_queued(sent):
    """Run what the regrade queued, in order, eagerly, as a worker would."""
    while sent:
        kind, args = sent.pop(0)
        if kind == "start":
            tasks.regrade_job_start.apply(args=args).get()
        elif kind == "chunk":
            tasks.regrade_chunk.apply(args=args).get()


# The real thing ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_regrade_after_the_checks_change_lowers_the_score_in_the_sandbox(
    course_dir, exercise, cohort, enrolled, cohort_instructor, queued_tasks
):
    submission, _ = submission_create(student=enrolled, exercise=exercise, source=FLAT_ONLY)
    assert tasks.grade_submission.apply(args=(submission.id,)).get() == "passed"
    submission.refresh_from_db()
    assert submission.score == 1.0
    before_version = submission.result["checks_version"]

    checks = course_dir / "exercises" / "mean-abs" / "checks.py"
    checks.write_text(checks.read_text() + THREE_D_CHECK)
    queued_tasks.clear()
    job = regrade.regrade_start(exercise=exercise, cohort=cohort, requested_by=cohort_instructor)
    assert queued_tasks == [("start", (job.id,))]
    run_queued(queued_tasks)

    submission.refresh_from_db()
    job.refresh_from_db()
    assert submission.state == "done"
    assert submission.verdict == "failed"
    assert submission.score < 1.0
    failing = [c["name"] for c in submission.result["checks"] if not c["passed"]]
    assert failing == ["works on 3-d arrays"]
    assert submission.result["checks_version"] != before_version
    assert submission.result["regrade"]["job"] == job.id
    assert submission.result["regrade"]["previous_score"] == 1.0
    assert (job.state, job.total, job.done, job.changed, job.errors) == ("done", 1, 1, 1, 0)
    assert job.checks_version == submission.result["checks_version"]
    assert job.finished_at is not None


# Bookkeeping, with the engine stubbed --------------------------------------------------


class FakeSandbox:
    pass


@pytest.fixture
def stub_engine(monkeypatch):
    """grade_source scores by the source: 'score=0.4' in it gives 0.4, the starter 0,
    anything else 1.0, so the reference (which has no marker) passes. Every call is
    recorded."""
    calls = []

    def grade_source(source, spec, sandbox, **options):
        calls.append(source)
        score = 0.0 if source == spec.starter else 1.0
        for line in source.splitlines():
            if line.startswith("# score="):
                score = float(line.split("=", 1)[1])
        verdict = "passed" if score == 1.0 else "failed"
        return GradeResult(spec.slug, verdict, score, checks_version="stub")

    monkeypatch.setattr("grading.grader.grade_source", grade_source)
    monkeypatch.setattr("judge.selfcheck.grade_source", grade_source)
    monkeypatch.setattr("grading.tasks.worker_sandbox", lambda: FakeSandbox())
    return calls


def scored(score: float, n: int = 0) -> str:
    return f"# score={score}\n# {n}\ndef mean_abs(x):\n    return 0\n"


@pytest.mark.django_db(transaction=True)
def test_only_graded_rows_are_regraded_and_queued_or_running_ones_are_left_alone(
    exercise, cohort, enrolled, second_student, cohort_instructor, stub_engine, queued_tasks, start
):
    cohort_join(cohort=cohort, user=second_student)
    graded = done_submission(enrolled, exercise, source=scored(0.4), score=1.0)
    queued = done_submission(
        second_student, exercise, source=scored(0.4, 1), score=None, verdict="",
        state=Submission.State.QUEUED,
    )  # fmt: skip
    running = done_submission(
        second_student, exercise, source=scored(0.4, 2), score=None, verdict="",
        state=Submission.State.RUNNING,
    )  # fmt: skip
    job = start(exercise=exercise, cohort=cohort, requested_by=cohort_instructor)
    run_queued(queued_tasks)
    job.refresh_from_db()
    assert (job.state, job.total, job.done, job.changed) == ("done", 1, 1, 1)
    graded.refresh_from_db()
    assert (graded.score, graded.verdict) == (0.4, "failed")
    for row in (queued, running):
        before = (row.state, row.score, row.verdict, row.result)
        row.refresh_from_db()
        assert (row.state, row.score, row.verdict, row.result) == before


@pytest.mark.django_db(transaction=True)
def test_a_cohort_regrade_leaves_other_cohorts_and_instructors_submissions_alone(
    exercise, cohort, other_cohort, enrolled, second_student, cohort_instructor,
    stub_engine, queued_tasks, start,
):  # fmt: skip
    cohort_join(cohort=other_cohort, user=second_student)
    ours = done_submission(enrolled, exercise, source=scored(0.5))
    theirs = done_submission(second_student, exercise, source=scored(0.5, 1))
    teacher = done_submission(cohort_instructor, exercise, source=scored(0.5, 2))
    job = start(exercise=exercise, cohort=cohort, requested_by=cohort_instructor)
    run_queued(queued_tasks)
    for row in (ours, theirs, teacher):
        row.refresh_from_db()
    assert ours.score == 0.5
    assert theirs.score == 1.0
    assert teacher.score == 1.0
    job.refresh_from_db()
    assert job.total == 1


@pytest.mark.django_db(transaction=True)
def test_the_work_is_split_into_chunks_on_the_regrade_queue_and_the_last_marks_it_done(
    exercise, cohort, cohort_instructor, stub_engine, queued_tasks, start
):
    # No password: hashing 25 of them would be most of the test's time.
    students = [
        get_user_model().objects.create(username=f"s{i}") for i in range(regrade.CHUNK_SIZE + 5)
    ]
    for index, user in enumerate(students):
        cohort_join(cohort=cohort, user=user)
        done_submission(user, exercise, source=scored(1.0 if index % 5 else 0.2, index))
    job = start(exercise=exercise, cohort=cohort, requested_by=cohort_instructor)
    kind, args = queued_tasks.pop(0)
    tasks.regrade_job_start.apply(args=args).get()
    chunks = [args for kind, args in queued_tasks if kind == "chunk"]
    assert [len(ids) for _, _, ids in chunks] == [regrade.CHUNK_SIZE, 5]
    job.refresh_from_db()
    assert (job.state, job.total, job.chunks) == ("running", 25, 2)
    tasks.regrade_chunk.apply(args=chunks[1]).get()
    job.refresh_from_db()
    assert (job.state, job.done) == ("running", 5)
    tasks.regrade_chunk.apply(args=chunks[0]).get()
    job.refresh_from_db()
    assert (job.state, job.done, job.changed) == ("done", 25, 5)
    routes = settings.CELERY_TASK_ROUTES
    assert routes["grading.regrade_chunk"] == {"queue": "regrade"}
    assert routes["grading.regrade_start"] == {"queue": "regrade"}
    assert routes["grading.grade_submission"] == {"queue": "grading"}


@pytest.mark.django_db(transaction=True)
def test_running_a_chunk_twice_neither_regrades_nor_counts_twice(
    exercise, cohort, enrolled, cohort_instructor, stub_engine, queued_tasks, start
):
    done_submission(enrolled, exercise, source=scored(0.3))
    job = start(exercise=exercise, cohort=cohort, requested_by=cohort_instructor)
    kind, args = queued_tasks.pop(0)
    tasks.regrade_job_start.apply(args=args).get()
    (_, chunk), = queued_tasks  # fmt: skip
    # A redelivered chunk after the first run wrote the row but died before finishing.
    first = regrade.regrade_one(job_id=job.id, submission_id=chunk[2][0], sandbox=FakeSandbox())
    assert first == "regraded"
    calls_before = len(stub_engine)
    assert tasks.regrade_chunk.apply(args=chunk).get() == "done"
    assert len(stub_engine) == calls_before  # the marked row was not graded again
    assert tasks.regrade_chunk.apply(args=chunk).get() in ("already done", "job not running")
    job.refresh_from_db()
    assert (job.state, job.total, job.done, job.changed) == ("done", 1, 1, 1)


@pytest.mark.django_db(transaction=True)
def test_an_unavailable_sandbox_retries_then_counts_errors_and_keeps_the_old_verdict(
    exercise, cohort, enrolled, cohort_instructor, stub_engine, queued_tasks, start, monkeypatch
):
    from sandbox import SandboxUnavailable

    row = done_submission(enrolled, exercise, source=scored(0.3), score=0.9, verdict="failed")
    job = start(exercise=exercise, cohort=cohort, requested_by=cohort_instructor)
    kind, args = queued_tasks.pop(0)
    tasks.regrade_job_start.apply(args=args).get()
    attempts = []

    def broken():
        attempts.append(1)
        raise SandboxUnavailable("isolation checks failed: seccomp")

    monkeypatch.setattr("grading.tasks.worker_sandbox", broken)
    (_, chunk), = queued_tasks  # fmt: skip
    # Eagerly, each retry runs at once (with back-off on a real worker).
    assert tasks.regrade_chunk.apply(args=chunk).get() == "gave up"
    assert len(attempts) == tasks.regrade_chunk.max_retries + 1
    job.refresh_from_db()
    assert (job.state, job.done, job.errors, job.changed) == ("failed", 1, 1, 0)
    assert "could not be regraded" in job.message
    row.refresh_from_db()
    assert (row.score, row.verdict) == (0.9, "failed")


def test_a_second_regrade_of_the_exercise_is_refused_while_one_is_active(
    exercise, cohort, other_cohort, cohort_instructor, other_instructor, queued_tasks
):
    regrade.regrade_start(exercise=exercise, cohort=cohort, requested_by=cohort_instructor)
    with pytest.raises(regrade.RegradeRefused, match="already queued"):
        regrade.regrade_start(exercise=exercise, cohort=cohort, requested_by=cohort_instructor)
    with pytest.raises(regrade.RegradeRefused):
        regrade.regrade_start(exercise=exercise, cohort=other_cohort, requested_by=other_instructor)
    assert RegradeJob.objects.count() == 1


def test_a_course_not_imported_from_files_cannot_be_regraded(
    exercise, cohort, cohort_instructor, queued_tasks
):
    exercise.course.source_path = ""
    exercise.course.save(update_fields=["source_path"])
    with pytest.raises(regrade.RegradeRefused, match="not imported from files"):
        regrade.regrade_start(exercise=exercise, cohort=cohort, requested_by=cohort_instructor)
    assert not RegradeJob.objects.exists()


def test_the_database_allows_one_active_regrade_per_exercise(exercise, cohort):
    from django.db import IntegrityError, transaction

    RegradeJob.objects.create(exercise=exercise, cohort=cohort, state="running")
    RegradeJob.objects.create(exercise=exercise, cohort=cohort, state="done")
    with pytest.raises(IntegrityError), transaction.atomic():
        RegradeJob.objects.create(exercise=exercise, cohort=None, state="queued")


def test_a_job_that_stopped_moving_no_longer_blocks_a_new_regrade(
    exercise, cohort, cohort_instructor, queued_tasks, start
):
    stale = RegradeJob.objects.create(
        exercise=exercise,
        cohort=cohort,
        state="running",
        heartbeat_at=timezone.now() - timedelta(seconds=regrade.REGRADE_STALE_S + 1),
    )
    job = start(exercise=exercise, cohort=cohort, requested_by=cohort_instructor)
    stale.refresh_from_db()
    assert stale.state == "failed"
    assert "stopped making progress" in stale.message
    assert job.state == "queued"


@pytest.mark.django_db(transaction=True)
def test_a_regrade_whose_reference_no_longer_passes_fails_without_touching_scores(
    exercise, cohort, enrolled, cohort_instructor, stub_engine, queued_tasks, start, monkeypatch
):
    row = done_submission(enrolled, exercise, source=scored(0.3), score=1.0)

    def everything_fails(source, spec, sandbox, **options):
        return GradeResult(spec.slug, "error", 0.0, message="this exercise is broken")

    monkeypatch.setattr("judge.selfcheck.grade_source", everything_fails)
    job = start(exercise=exercise, cohort=cohort, requested_by=cohort_instructor)
    run_queued(queued_tasks)
    job.refresh_from_db()
    assert job.state == "failed"
    assert "the reference scores 0.00" in job.message
    assert "fix the exercise" in job.message
    row.refresh_from_db()
    assert row.score == 1.0


@pytest.mark.django_db(transaction=True)
def test_nothing_to_regrade_is_done_at_once(exercise, cohort, cohort_instructor, stub_engine,
                                             queued_tasks, start):  # fmt: skip
    job = start(exercise=exercise, cohort=cohort, requested_by=cohort_instructor)
    run_queued(queued_tasks)
    job.refresh_from_db()
    assert (job.state, job.total, job.done) == ("done", 0, 0)


# The pages ----------------------------------------------------------------------------


def page_url(cohort, exercise):
    return reverse("teaching:exercise", args=[cohort.uuid, exercise.slug])


# The box the form asks to tick before anything is regraded.
CONFIRM = {"confirm": "yes"}


def start_url(cohort, exercise):
    return reverse("teaching:regrade_start", args=[cohort.uuid, exercise.slug])


def progress_url(cohort, exercise, job):
    return reverse("teaching:regrade_progress", args=[cohort.uuid, exercise.slug, job.id])


def test_the_instructor_starts_a_regrade_with_the_button_and_sees_its_progress(
    client, exercise, cohort, enrolled, cohort_instructor, queued_tasks
):
    done_submission(enrolled, exercise, source=scored(0.5))
    client.force_login(cohort_instructor)
    page = client.get(page_url(cohort, exercise))
    assert start_url(cohort, exercise) in page.content.decode()
    response = client.post(start_url(cohort, exercise), CONFIRM)
    assert response.status_code == 302
    assert response["Location"] == page_url(cohort, exercise)
    job = RegradeJob.objects.get()
    assert (job.cohort, job.requested_by, job.state) == (cohort, cohort_instructor, "queued")

    html = client.get(page_url(cohort, exercise)).content.decode()
    assert "Regrade started" in html
    assert 'id="regrade-progress"' in html
    assert 'aria-valuenow="0"' in html
    assert progress_url(cohort, exercise, job) in html
    assert "Queued: waiting for a worker." in html
    assert "teaching-regrade.js" in html
    assert "<script>" not in html
    # While it runs there is no second button.
    assert f'action="{start_url(cohort, exercise)}"' not in html

    RegradeJob.objects.filter(id=job.id).update(state="running", total=40, done=12, changed=3)
    data = client.get(progress_url(cohort, exercise, job)).json()
    assert data == {"state": "running", "total": 40, "done": 12, "changed": 3, "errors": 0}
    html = client.get(page_url(cohort, exercise)).content.decode()
    assert 'aria-valuenow="12"' in html
    assert "12 of 40 regraded, 3 scores changed" in html


def test_a_refused_regrade_says_why(client, exercise, cohort, cohort_instructor, queued_tasks):
    client.force_login(cohort_instructor)
    client.post(start_url(cohort, exercise), CONFIRM)
    RegradeJob.objects.update(state="running")
    response = client.post(start_url(cohort, exercise), CONFIRM, follow=True)
    assert "already running" in response.content.decode()
    assert RegradeJob.objects.count() == 1


def test_the_start_button_needs_a_csrf_token(exercise, cohort, cohort_instructor, queued_tasks):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cohort_instructor)
    assert client.post(start_url(cohort, exercise), CONFIRM).status_code == 403
    assert not RegradeJob.objects.exists()


def test_staff_may_regrade_every_cohort_at_once(client, exercise, cohort, instructor, queued_tasks):
    client.force_login(instructor)
    client.post(start_url(cohort, exercise), {"scope": "all", **CONFIRM})
    assert RegradeJob.objects.get().cohort is None


def test_an_instructor_cannot_widen_a_regrade_to_every_cohort(
    client, exercise, cohort, cohort_instructor, queued_tasks
):
    client.force_login(cohort_instructor)
    client.post(start_url(cohort, exercise), {"scope": "all", **CONFIRM})
    assert RegradeJob.objects.get().cohort == cohort


def test_the_progress_of_another_cohorts_job_is_not_found(
    client, exercise, cohort, other_cohort, cohort_instructor
):
    theirs = RegradeJob.objects.create(exercise=exercise, cohort=other_cohort, state="done")
    client.force_login(cohort_instructor)
    assert client.get(progress_url(cohort, exercise, theirs)).status_code == 404


@pytest.mark.parametrize("who", ["student", "other_instructor"])
def test_a_student_or_another_cohorts_instructor_cannot_start_a_regrade_or_read_progress(
    request, client, exercise, cohort, enrolled, other_cohort, who, queued_tasks
):
    job = RegradeJob.objects.create(exercise=exercise, cohort=cohort, state="done")
    client.force_login(request.getfixturevalue(who))
    assert client.post(start_url(cohort, exercise), CONFIRM).status_code in (403, 404)
    assert client.get(progress_url(cohort, exercise, job)).status_code in (403, 404)
    assert RegradeJob.objects.count() == 1
    assert Membership.objects.filter(cohort=cohort, user__username="ada").exists()


def test_anonymous_users_are_sent_to_log_in(client, exercise, cohort, queued_tasks):
    job = RegradeJob.objects.create(exercise=exercise, cohort=cohort, state="done")
    for response in (
        client.post(start_url(cohort, exercise), CONFIRM),
        client.get(progress_url(cohort, exercise, job)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert RegradeJob.objects.count() == 1


def test_the_regrade_job_is_in_the_admin(client, exercise, cohort):
    RegradeJob.objects.create(exercise=exercise, cohort=cohort, state="done", total=3, done=3)
    client.force_login(person("root", is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:grading_regradejob_changelist") + "?state=done")
    assert response.status_code == 200
    assert "mean-abs" in response.content.decode()


def test_nothing_is_regraded_unless_the_instructor_confirms(
    client, exercise, cohort, enrolled, cohort_instructor, queued_tasks
):
    done_submission(enrolled, exercise, source=scored(0.5))
    client.force_login(cohort_instructor)
    page = client.get(page_url(cohort, exercise)).content.decode()
    assert 'name="confirm" value="yes" required' in page
    response = client.post(start_url(cohort, exercise), follow=True)
    assert "tick the box to confirm" in response.content.decode()
    assert not RegradeJob.objects.exists()
