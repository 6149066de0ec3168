"""The per-exercise page of a cohort: pass rates, attempts and time until pass, failing
checks, known mistakes and recent submissions, for the cohort's students only."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.importing import course_sync
from courses.models import Exercise
from courses.services import cohort_create, cohort_join
from grading.models import Submission
from teaching.selectors import exercise as exercise_selectors
from tests.factories import SubmissionFactory
from tests.helpers import ROOT

COURSE_MIN = ROOT / "tests" / "fixtures" / "course-min"
T0 = timezone.now() - timedelta(days=3)

CHECK_NAMES = ("matches the reference", "is never negative", "does not modify x")


@pytest.fixture
def exercise(db):
    course_sync(path=COURSE_MIN)
    return Exercise.objects.select_related("course").get(slug="mean-abs")


@pytest.fixture
def cohort(exercise, cohort_instructor):
    return cohort_create(course=exercise.course, name="Tuesday group", created_by=cohort_instructor)


@pytest.fixture
def other_cohort(exercise, other_instructor):
    return cohort_create(course=exercise.course, name="Thursday group", created_by=other_instructor)


def students(cohort, n, prefix="s"):
    people = [
        get_user_model().objects.create(username=f"{prefix}{cohort.id}-{i}") for i in range(n)
    ]
    for user in people:
        cohort_join(cohort=cohort, user=user)
    return people


def submit(student, exercise, *, passed=False, failing=(), mistake=None, at=None,
           source=None, state="done", diagnosis=None):  # fmt: skip
    """A graded submission whose result fails the named checks (mistake, or an automatic
    diagnosis labelled ``diagnosis``, on the first)."""
    attempt = Submission.objects.filter(student=student, exercise=exercise).count() + 1
    source = source or f"def mean_abs(x):\n    return {attempt}  # {student.username}\n"
    checks = [
        {
            "name": name,
            "passed": name not in failing,
            "mistake": mistake if name in failing[:1] else None,
            "diagnosis": (
                {"kind": "factor", "label": diagnosis, "message": f"{diagnosis}."}
                if diagnosis and name in failing[:1]
                else None
            ),
        }
        for name in CHECK_NAMES
    ]
    verdict = "passed" if passed else "failed"
    graded = state == "done"
    return SubmissionFactory(
        student=student,
        exercise=exercise,
        source=source,
        attempt=attempt,
        state=state,
        verdict=verdict if graded else "",
        score=(1.0 if passed else 0.4) if graded else None,
        result={"verdict": verdict, "checks": checks} if graded else {},
        created_at=at or T0 + timedelta(minutes=attempt),
    )


def url(cohort, exercise):
    return reverse("teaching:exercise", args=[cohort.uuid, exercise.slug])


@pytest.fixture
def teacher(client, cohort_instructor):
    client.force_login(cohort_instructor)
    return client


def test_pass_rates_count_the_cohorts_students_only(
    teacher, exercise, cohort, other_cohort, cohort_instructor
):
    a, b, c, _ = students(cohort, 4)
    submit(a, exercise, passed=True)
    submit(b, exercise, failing=("is never negative",))
    submit(b, exercise, passed=True)
    submit(c, exercise, failing=("is never negative",))
    (outsider,) = students(other_cohort, 1, prefix="o")
    submit(outsider, exercise, passed=True)
    submit(cohort_instructor, exercise, passed=True)

    response = teacher.get(url(cohort, exercise))
    assert response.status_code == 200
    stats = response.context["stats"]
    assert (stats.cohort_size, stats.tried, stats.passed) == (4, 3, 2)
    html = response.content.decode()
    assert "67%</strong> (2 of 3)" in html
    assert "50%</strong> (2 of 4)" in html


def test_attempts_until_pass_is_an_accessible_chart_with_a_ten_or_more_bin(
    teacher, exercise, cohort
):
    first, third, late, never = students(cohort, 4)
    submit(first, exercise, passed=True)
    for _ in range(2):
        submit(third, exercise)
    submit(third, exercise, passed=True)
    for _ in range(11):
        submit(late, exercise)
    submit(late, exercise, passed=True)
    submit(never, exercise)

    response = teacher.get(url(cohort, exercise))
    stats = response.context["stats"]
    assert stats.attempts_to_pass == [1, 0, 1, 0, 0, 0, 0, 0, 0, 1]
    assert stats.attempt_labels[-1] == "10+"
    assert stats.median_attempts_to_pass == 3
    chart = str(response.context["chart"])
    assert 'role="img"' in chart
    assert "<title" in chart
    assert "Attempts until the first pass" in chart
    assert "<table>" in chart
    assert '<th scope="row">10+</th><td>1</td>' in chart


def test_the_median_time_from_first_attempt_to_pass(teacher, exercise, cohort):
    quick, medium, slow, never = students(cohort, 4)
    for student, hours in ((quick, 1), (medium, 3), (slow, 50)):
        submit(student, exercise, at=T0)
        submit(student, exercise, passed=True, at=T0 + timedelta(hours=hours))
    submit(never, exercise, at=T0)
    response = teacher.get(url(cohort, exercise))
    assert response.context["stats"].median_time_to_pass == timedelta(hours=3)
    assert "3 h" in response.content.decode()


def test_the_checks_that_fail_most_often_with_counts_and_share(teacher, exercise, cohort):
    a, b = students(cohort, 2)
    submit(a, exercise, failing=("is never negative", "does not modify x"))
    submit(a, exercise, failing=("is never negative",))
    submit(b, exercise, failing=("is never negative",))
    submit(b, exercise, passed=True)
    submit(b, exercise, state="queued")  # not graded yet: no checks to count

    response = teacher.get(url(cohort, exercise))
    failures = response.context["stats"].check_failures
    assert [(f.name, f.failed, f.run, f.students) for f in failures] == [
        ("is never negative", 3, 4, 2),
        ("does not modify x", 1, 4, 1),
    ]
    assert failures[0].share == 0.75
    html = response.content.decode()
    assert "is never negative" in html
    assert "75%" in html


def test_the_share_of_the_cohort_per_known_mistake_with_titles_from_the_files(
    teacher, exercise, cohort
):
    a, b, c, d = students(cohort, 4)
    submit(a, exercise, failing=("matches the reference",), mistake="no-abs")
    submit(a, exercise, failing=("matches the reference",), mistake="no-abs")
    submit(b, exercise, failing=("matches the reference",), mistake="no-abs")
    submit(c, exercise, failing=("matches the reference",), mistake="sum-not-mean")
    submit(d, exercise, passed=True)

    response = teacher.get(url(cohort, exercise))
    mistakes = response.context["stats"].mistakes
    assert [(m.slug, m.title, m.students, m.submissions) for m in mistakes] == [
        ("no-abs", "forgot the absolute value", 2, 3),
        ("sum-not-mean", "sum instead of mean", 1, 1),
    ]
    assert mistakes[0].share == 0.5
    html = response.content.decode()
    assert re.search(r"<strong>50%</strong>\s+forgot the absolute value", html)
    assert re.search(r"<strong>25%</strong>\s+sum instead of mean", html)


def test_the_share_of_the_cohort_per_automatic_diagnosis(teacher, exercise, cohort):
    a, b, c, d = students(cohort, 4)
    submit(a, exercise, failing=("matches the reference",), diagnosis="off by a factor of 2")
    submit(a, exercise, failing=("matches the reference",), diagnosis="off by a factor of 2")
    submit(b, exercise, failing=("matches the reference",), diagnosis="off by a factor of 2")
    submit(c, exercise, failing=("matches the reference",), diagnosis="opposite sign")
    submit(c, exercise, failing=("matches the reference",), mistake="no-abs")  # a known one
    submit(d, exercise, passed=True)

    response = teacher.get(url(cohort, exercise))
    diagnoses = response.context["stats"].diagnoses
    assert [(m.title, m.students, m.submissions) for m in diagnoses] == [
        ("off by a factor of 2", 2, 3),
        ("opposite sign", 1, 1),
    ]
    html = response.content.decode()
    assert re.search(r"<strong>50%</strong>\s+off by a factor of 2", html)
    assert re.search(r"<strong>25%</strong>\s+opposite sign", html)


def test_recent_submissions_show_the_last_twenty_with_escaped_code_and_verdict(
    teacher, exercise, cohort
):
    (student,) = students(cohort, 1)
    for _ in range(21):
        submit(student, exercise)
    last = submit(
        student, exercise, passed=True, source="def mean_abs(x):\n    return '<script>x</script>'\n"
    )
    response = teacher.get(url(cohort, exercise))
    recent = response.context["recent"]
    assert len(recent) == 20
    assert recent[0] == last
    html = response.content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x" not in html
    assert "<details>" in html
    assert 'class="verdict-tag verdict-passed"' in html
    assert "attempt 22" in html
    assert "attempt 2 ·" not in html


def test_an_exercise_of_another_course_is_not_found(teacher, cohort):
    assert teacher.get(reverse("teaching:exercise", args=[cohort.uuid, "nope"])).status_code == 404


# Access --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["student", "other_instructor"])
def test_a_student_of_the_cohort_or_another_cohorts_instructor_may_not_see_it(
    request, client, exercise, cohort, other_cohort, student, who
):
    cohort_join(cohort=cohort, user=student)
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(cohort, exercise)).status_code in (403, 404)


def test_anonymous_users_are_sent_to_log_in(client, exercise, cohort):
    response = client.get(url(cohort, exercise))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_may_see_any_cohort(client, exercise, cohort, instructor):
    client.force_login(instructor)
    assert client.get(url(cohort, exercise)).status_code == 200


def test_an_unknown_cohort_is_not_found(teacher, exercise):
    import uuid

    missing = reverse("teaching:exercise", args=[uuid.uuid4(), exercise.slug])
    assert teacher.get(missing).status_code == 404


# Scale ---------------------------------------------------------------------------------


def fill(cohort, exercise, n):
    for index, student in enumerate(students(cohort, n, prefix=f"n{n}-")):
        submit(student, exercise, failing=("matches the reference",), mistake="no-abs")
        submit(student, exercise, passed=index % 2 == 0)


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_page_runs_the_same_few_queries_whatever_the_cohort_size(
    client, exercise, cohort_instructor, django_assert_max_num_queries
):
    small = cohort_create(course=exercise.course, name="small", created_by=cohort_instructor)
    large = cohort_create(course=exercise.course, name="large", created_by=cohort_instructor)
    fill(small, exercise, 3)
    fill(large, exercise, 30)
    client.force_login(cohort_instructor)
    client.get(url(small, exercise))  # warm caches (exercise files, session) first
    with django_assert_max_num_queries(20):
        small_count = count_queries(client, url(small, exercise))
    with django_assert_max_num_queries(20):
        large_count = count_queries(client, url(large, exercise))
    assert small_count == large_count


def test_the_selector_matches_a_hand_count(exercise, cohort):
    a, b = students(cohort, 2)
    submit(a, exercise)
    submit(a, exercise, passed=True)
    stats = exercise_selectors.exercise_stats(cohort=cohort, exercise=exercise, mistake_titles={})
    assert (stats.tried, stats.passed, stats.submissions) == (1, 1, 2)
    assert stats.pass_rate_of_tried == 1.0
    assert stats.pass_rate_of_cohort == 0.5
