"""One student's timeline: lessons, checkpoint attempts and submissions, newest first."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import LessonProgress
from teaching.selectors.timeline import student_timeline

from .conftest import attempt_quiz, enrol, read, submit

pytestmark = pytest.mark.django_db


def timeline_url(cohort, user):
    return reverse("teaching:student", args=[cohort.uuid, user.id])


def test_it_lists_lessons_attempts_and_submissions_newest_first(
    cohort, student, lesson, quiz, exercise
):
    now = timezone.now()
    read(student, lesson, at=now - timedelta(hours=3), think_answered_at=now - timedelta(hours=4))
    attempt_quiz(student, quiz, score=0.5, passed=False, at=now - timedelta(hours=2))
    submit(student, exercise, verdict="passed", score=1.0, at=now - timedelta(hours=1))
    events = student_timeline(cohort=cohort, user=student)
    assert [(event.kind, event.what) for event in events] == [
        ("submission", "attempt 1: passed"),
        ("quiz", "checkpoint not passed"),
        ("lesson", "last seen"),
        ("lesson", "answered the think prompt"),
    ]


def test_a_submission_shows_its_points(cohort, student, exercise):
    submit(student, exercise, score=0.4)
    (event,) = student_timeline(cohort=cohort, user=student)
    assert event.detail == "2/5 points"
    assert event.passed is False


def test_a_checkpoint_attempt_shows_its_score(cohort, student, quiz):
    attempt_quiz(student, quiz, score=0.75, passed=False)
    (event,) = student_timeline(cohort=cohort, user=student)
    assert event.detail == "75%"


def test_a_passed_lesson_has_its_own_event(cohort, student, lesson):
    read(student, lesson, state=LessonProgress.State.PASSED)
    assert "passed" in [event.what for event in student_timeline(cohort=cohort, user=student)]


def test_the_page_shows_the_events(instructor_client, cohort, student, exercise):
    submit(student, exercise, score=0.4)
    page = instructor_client.get(timeline_url(cohort, student)).content.decode()
    assert "Double every entry" in page
    assert "attempt 1: failed" in page


def test_someone_outside_the_cohort_is_not_found(instructor_client, cohort, other_cohort):
    stranger = enrol(other_cohort, 1, prefix="stranger")[0]
    assert instructor_client.get(timeline_url(cohort, stranger)).status_code == 404


def test_an_unknown_user_is_not_found(instructor_client, cohort):
    url = reverse("teaching:student", args=[cohort.uuid, 987654])
    assert instructor_client.get(url).status_code == 404


def test_the_think_answer_is_escaped(instructor_client, cohort, student, lesson):
    read(
        student, lesson, think_answer="<script>alert(1)</script>", think_answered_at=timezone.now()
    )
    page = instructor_client.get(timeline_url(cohort, student)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_the_number_of_queries_does_not_grow_with_the_history(
    instructor_client, cohort, student, exercise, quiz, django_assert_max_num_queries
):
    url = timeline_url(cohort, student)
    submit(student, exercise)
    instructor_client.get(url)
    with django_assert_max_num_queries(20) as few:
        instructor_client.get(url)
    for _ in range(20):
        submit(student, exercise)
        attempt_quiz(student, quiz, score=0.2, passed=False)
    with django_assert_max_num_queries(20) as many:
        instructor_client.get(url)
    assert len(few.captured_queries) == len(many.captured_queries)
