"""An exercise whose files cannot be graded: its submissions end in a terminal, visible
state (blocked) instead of cycling through retries and the reaper; the student is told
their code is saved and was not counted; the instructor sees why and grades them again
once the files are fixed."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from courses.importing import course_sync
from courses.models import Exercise
from courses.services import cohort_create, cohort_join
from grading import queues, tasks
from grading.models import Submission
from grading.selectors import failed_attempts
from grading.services import BLOCKED_MESSAGE, submission_create, submissions_reap
from tests.grading.factories import GOOD, NO_ABS


@pytest.fixture
def course_dir(course_min_dir):
    return course_min_dir


@pytest.fixture
def exercise(editable_mean_abs):
    return editable_mean_abs


def break_checks(course_dir):
    checks = course_dir / "exercises" / "mean-abs" / "checks.py"
    checks.write_text("import numpy as np\n\nCHECKS = []\n")


def queued_ids(published) -> list[int]:
    """The submissions queued for grading, of the tasks published."""
    return [args[0] for task, args in published if task == queues.GRADE]


@pytest.mark.django_db(transaction=True)
def test_a_worker_blocks_a_submission_to_a_broken_exercise_instead_of_retrying(
    course_dir, published, student
):
    course_sync(path=course_dir)
    exercise = Exercise.objects.get(slug="mean-abs")
    submission, _ = submission_create(student=student, exercise=exercise, source=GOOD)
    break_checks(course_dir)
    assert tasks.grade_submission.apply(args=(submission.id,)).get() == "blocked"
    row = Submission.objects.get(id=submission.id)
    assert (row.state, row.verdict, row.score) == ("blocked", "", None)
    assert row.result == {"message": BLOCKED_MESSAGE}
    assert "non-empty CHECKS list" in row.infra_error
    # Not the student's attempt: no hint unlocks, nothing waits in flight.
    assert failed_attempts(user=student, exercise=exercise) == 0
    assert submissions_reap()["queued"] == 0


def test_a_broken_exercise_gives_its_queued_submissions_a_terminal_state_in_one_reaper_pass(
    exercise, course_dir, published, student, second_student
):
    waiting = [
        submission_create(student=student, exercise=exercise, source=GOOD)[0],
        submission_create(student=second_student, exercise=exercise, source=NO_ABS)[0],
    ]
    Submission.objects.filter(id__in=[s.id for s in waiting]).update(
        queued_at=timezone.now() - timedelta(seconds=settings.QUEUED_STALE_S + 1)
    )
    break_checks(course_dir)
    published.clear()
    assert submissions_reap() == {
        "running": 0,
        "queued": 0,
        "blocked": 2,
        "refinements_abandoned": 0,
    }
    assert queued_ids(published) == []  # nothing republished
    assert set(Submission.objects.values_list("state", flat=True)) == {"blocked"}
    # Terminal: a later pass finds nothing to do.
    Submission.objects.update(queued_at=timezone.now() - timedelta(days=1))
    assert submissions_reap()["blocked"] == 0


def test_a_healthy_exercise_is_republished_not_blocked(exercise, published, student):
    submission, _ = submission_create(student=student, exercise=exercise, source=GOOD)
    Submission.objects.filter(id=submission.id).update(
        queued_at=timezone.now() - timedelta(seconds=settings.QUEUED_STALE_S + 1)
    )
    published.clear()
    assert submissions_reap()["blocked"] == 0
    assert queued_ids(published) == [submission.id]


def blocked_submission(student, exercise):
    submission, _ = submission_create(student=student, exercise=exercise, source=GOOD)
    Submission.objects.filter(id=submission.id).update(
        state=Submission.State.BLOCKED,
        infra_error="exercises/mean-abs/checks.py must define a non-empty CHECKS list",
        result={"message": BLOCKED_MESSAGE},
    )
    return submission


def test_the_api_answers_a_blocked_submission_at_once_with_why(client, exercise, student):
    submission = blocked_submission(student, exercise)
    client.force_login(student)
    body = client.get(f"/api/v1/submissions/{submission.uuid}?wait=20&seen=blocked").json()
    assert (body["state"], body["progress"], body["verdict"]) == ("blocked", "blocked", "")
    assert body["message"] == BLOCKED_MESSAGE
    assert body["headline"] == Submission.BLOCKED_HEADLINE
    assert body["hints"] == []


def test_the_exercise_page_says_the_code_is_saved_and_not_counted(client, exercise, student):
    blocked_submission(student, exercise)
    client.force_login(student)
    page = client.get(
        reverse("grading:exercise", args=[exercise.course.slug, exercise.slug])
    ).content.decode()
    assert "Waiting for the exercise to be fixed" in page
    assert "not counted as an attempt" in page
    assert 'http-equiv="refresh"' not in page


def test_the_instructor_sees_why_and_grades_them_again(
    client, exercise, student, cohort_instructor, published, django_capture_on_commit_callbacks
):
    cohort = cohort_create(course=exercise.course, name="Group", created_by=cohort_instructor)
    cohort_join(cohort=cohort, user=student)
    submission = blocked_submission(student, exercise)
    client.force_login(cohort_instructor)
    page_url = reverse("teaching:exercise", args=[cohort.uuid, exercise.slug])
    page = client.get(page_url).content.decode()
    assert "1 submission could not be graded" in page
    assert "non-empty CHECKS list" in page
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("teaching:unblock", args=[cohort.uuid, exercise.slug]))
    assert response.status_code == 302
    row = Submission.objects.get(id=submission.id)
    assert (row.state, row.infra_error, row.result) == ("queued", "", {})
    assert queued_ids(published) == [submission.id]


def test_another_cohorts_instructor_cannot_grade_them_again(
    client, exercise, student, cohort_instructor, other_instructor, published
):
    cohort = cohort_create(course=exercise.course, name="Group", created_by=cohort_instructor)
    cohort_join(cohort=cohort, user=student)
    blocked_submission(student, exercise)
    client.force_login(other_instructor)
    response = client.post(reverse("teaching:unblock", args=[cohort.uuid, exercise.slug]))
    assert response.status_code == 403
    assert Submission.objects.get().state == "blocked"
