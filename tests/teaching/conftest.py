"""Cohorts for the instructor pages: the one-lesson quiz course (a lesson, its
checkpoint and a 5-point exercise), a cohort taught by `cohort_instructor` with
`student` and `second_student` in it, and another cohort taught by `other_instructor`.
The usual people come from tests/conftest.py."""

import pytest
from django.utils import timezone

from courses.importing import course_sync
from courses.models import LessonProgress, Membership
from courses.services import cohort_create, cohort_join
from tests.factories import QuizAttemptFactory, SubmissionFactory, UserFactory
from tests.helpers import ROOT

QUIZ_COURSE = ROOT / "tests" / "fixtures" / "course-quiz"


@pytest.fixture
def quizzed(db):
    return course_sync(path=QUIZ_COURSE).course


@pytest.fixture
def lesson(quizzed):
    return quizzed.lessons.get(slug="basics")


@pytest.fixture
def quiz(quizzed):
    return quizzed.quizzes.get(slug="basics")


@pytest.fixture
def exercise(quizzed):
    return quizzed.exercises.get(slug="double")


@pytest.fixture
def cohort(quizzed, cohort_instructor, student, second_student):
    cohort = cohort_create(course=quizzed, name="Tuesday group", created_by=cohort_instructor)
    cohort_join(cohort=cohort, user=student)
    cohort_join(cohort=cohort, user=second_student)
    return cohort


@pytest.fixture
def other_cohort(quizzed, other_instructor):
    return cohort_create(course=quizzed, name="Thursday group", created_by=other_instructor)


@pytest.fixture
def instructor_client(client, cohort, cohort_instructor):
    client.force_login(cohort_instructor)
    return client


def enrol(cohort, count: int, prefix: str = "pupil") -> list:
    # Unusable passwords: hashing thirty real ones would take most of a test's time.
    users = [UserFactory(username=f"{prefix}{index}") for index in range(count)]
    for user in users:
        cohort_join(cohort=cohort, user=user)
    return users


def submit(student, exercise, *, verdict="failed", score=0.4, at=None, state="done"):
    graded = state == "done"
    return SubmissionFactory(
        student=student,
        exercise=exercise,
        state=state,
        verdict=verdict if graded else "",
        score=score if graded else None,
        created_at=at or timezone.now(),
    )


def attempt_quiz(user, quiz, *, score, passed, at=None):
    return QuizAttemptFactory(
        user=user, quiz=quiz, score=score, passed=passed, created_at=at or timezone.now()
    )


def read(user, lesson, *, state=LessonProgress.State.READING, at=None, **fields):
    at = at or timezone.now()
    return LessonProgress.objects.create(
        user=user,
        lesson=lesson,
        state=state,
        last_seen_at=at,
        passed_at=at if state == LessonProgress.State.PASSED else None,
        **fields,
    )


def student_member(cohort, user):
    return Membership.objects.get(cohort=cohort, user=user)
