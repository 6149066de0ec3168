from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Exercise, Lesson, LessonProgress
from grading.models import Submission
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db


def course_url(course):
    return reverse("courses:course", args=[course.slug])


def add_lesson(course, slug, position):
    return Lesson.objects.create(
        course=course,
        slug=slug,
        title=f"Lesson {slug}",
        position=position,
        body_markdown="x",
        body_html="<p>x</p>",
    )


def add_exercise(course, lesson, slug):
    return Exercise.objects.create(
        course=course,
        lesson=lesson,
        slug=slug,
        title=f"Exercise {slug}",
        entry="f",
        signature="f(x)",
        statement_markdown="s",
        statement_html="<p>s</p>",
        starter_code="def f(x): ...",
        source_dir=f"exercises/{slug}",
    )


def graded(student, exercise, attempt, score, verdict):
    return SubmissionFactory(
        student=student, exercise=exercise, attempt=attempt, verdict=verdict, score=score
    )


@pytest.fixture
def path(quiz_course):
    """The fixture course grown to four lessons, the later ones with exercises."""
    lessons = [quiz_course.lessons.get(slug="basics")]
    for position, slug in enumerate(["second", "third", "fourth"], start=2):
        lessons.append(add_lesson(quiz_course, slug, position))
    add_exercise(quiz_course, lessons[2], "third-ex")
    return lessons


def progress(student, lesson, state, minutes_ago=0):
    return LessonProgress.objects.create(
        user=student,
        lesson=lesson,
        state=state,
        last_seen_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_the_home_shows_each_lessons_state(student_client, student, quiz_course, path):
    progress(student, path[0], LessonProgress.State.PASSED)
    progress(student, path[1], LessonProgress.State.READING)
    response = student_client.get(course_url(quiz_course))
    states = [row.state for row in response.context["path"].lessons]
    assert states == ["passed", "reading", "not_started", "not_started"]
    page = response.content.decode()
    assert "checkpoint passed" in page
    assert "reading" in page
    assert "not started" in page


def test_the_home_shows_each_exercises_best_score(student_client, student, quiz_course, path):
    double = Exercise.objects.get(slug="double")
    graded(student, double, 1, 0.4, Submission.Verdict.FAILED)
    graded(student, double, 2, 0.75, Submission.Verdict.FAILED)
    page = student_client.get(course_url(quiz_course)).content.decode()
    assert "best 75%" in page
    assert "not tried" in page  # third-ex


def test_the_home_shows_only_my_best_scores(student_client, second_student, quiz_course, path):
    graded(second_student, Exercise.objects.get(slug="double"), 1, 1.0, Submission.Verdict.PASSED)
    page = student_client.get(course_url(quiz_course)).content.decode()
    assert "best 100%" not in page


def test_the_progress_bar_counts_passed_lessons(student_client, student, quiz_course, path):
    progress(student, path[0], LessonProgress.State.PASSED)
    progress(student, path[2], LessonProgress.State.PASSED)
    page = student_client.get(course_url(quiz_course)).content.decode()
    assert '<progress class="course-progress" max="4" value="2"' in page
    assert "2 of 4" in page


# "Continue" (the next unfinished item on the study path) is tested with the schedule
# it respects, in tests/courses/test_due_dates.py.


def test_the_home_needs_a_bounded_number_of_queries(
    student_client, student, quiz_course, path, django_assert_max_num_queries
):
    for position in range(5, 25):
        lesson = add_lesson(quiz_course, f"extra-{position}", position)
        progress(student, lesson, LessonProgress.State.READING)
        exercise = add_exercise(quiz_course, lesson, f"extra-ex-{position}")
        graded(student, exercise, 1, 0.5, Submission.Verdict.FAILED)
    # 10: the page's own 8 and its announcements, and the header's one question "does
    # this user teach?".
    with django_assert_max_num_queries(10):
        response = student_client.get(course_url(quiz_course))
    assert response.status_code == 200
    assert len(response.context["path"].lessons) == 24


def test_anonymous_visitors_see_the_path_with_a_sign_up_call(client, quiz_course, path):
    response = client.get(course_url(quiz_course))
    page = response.content.decode()
    assert "Lesson second" in page
    assert reverse("accounts:signup") in page
    assert "<progress" not in page
    assert "not started" not in page
