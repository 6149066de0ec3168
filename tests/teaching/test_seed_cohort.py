"""`manage.py seed_cohort`: a realistic cohort written straight to the database."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from courses.models import Cohort, Course, LessonProgress, Membership, QuizAttempt
from grading.models import Submission
from judge.exercise import exercise_from_course
from teaching.selectors.dashboard import cohort_dashboard

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One seeded cohort for the module (seeding imports the whole shipped course)."""
    with django_db_blocker.unblock():
        out = StringIO()
        call_command(
            "seed_cohort",
            "--students",
            "40",
            "--submissions-per-student",
            "12",
            "--seed",
            "3",
            stdout=out,
        )
        cohort = Cohort.objects.order_by("-created_at").first()
        yield cohort, out.getvalue()
        Course.objects.all().delete()
        Submission.objects.all().delete()
        from django.contrib.auth import get_user_model

        get_user_model().objects.all().delete()


def test_it_imports_the_shipped_course_when_missing(seeded):
    cohort, _ = seeded
    assert cohort.course.slug == "gradient-descent"


def test_it_creates_the_students_and_an_instructor(seeded):
    cohort, _ = seeded
    assert cohort.memberships.filter(role=Membership.Role.STUDENT).count() == 40
    assert cohort.memberships.filter(role=Membership.Role.INSTRUCTOR).count() == 1


def test_every_student_has_the_requested_submissions(seeded):
    cohort, _ = seeded
    students = cohort.memberships.filter(role="student").values("user_id")
    assert Submission.objects.filter(student_id__in=students).count() == 40 * 12


def test_submissions_are_graded_rows_with_realistic_verdicts(seeded):
    cohort, _ = seeded
    submissions = Submission.objects.filter(exercise__course=cohort.course)
    assert not submissions.exclude(state=Submission.State.DONE).exists()
    verdicts = set(submissions.values_list("verdict", flat=True))
    assert {"passed", "failed"} <= verdicts
    assert not submissions.filter(verdict="passed").exclude(score=1.0).exists()


def test_results_name_the_exercises_real_checks_and_known_mistakes(seeded):
    cohort, _ = seeded
    course_dir = Path(cohort.course.source_path)
    seen_mistake = False
    for submission in Submission.objects.filter(verdict="failed").select_related("exercise")[:50]:
        spec = exercise_from_course(course_dir, submission.exercise.slug)
        names = {check.name for check in spec.checks}
        slugs = {mistake.slug for mistake in spec.mistakes}
        checks = submission.result["checks"]
        assert {check["name"] for check in checks} <= names
        assert any(not check["passed"] for check in checks)
        for check in checks:
            assert check["mistake"] is None or check["mistake"] in slugs
            seen_mistake |= check["mistake"] is not None
    assert seen_mistake


def test_attempts_are_numbered_per_student_and_exercise(seeded):
    cohort, _ = seeded
    user_id, exercise_id = Submission.objects.values_list("student_id", "exercise_id").first()
    attempts = Submission.objects.filter(student_id=user_id, exercise_id=exercise_id).order_by(
        "created_at"
    )
    assert list(attempts.values_list("attempt", flat=True)) == list(range(1, attempts.count() + 1))


def test_activity_is_spread_over_the_last_30_days(seeded):
    now = timezone.now()
    times = list(Submission.objects.values_list("created_at", flat=True))
    assert min(times) >= now - timedelta(days=30)
    assert max(times) <= now
    assert len({t.date() for t in times}) >= 15


def test_progress_is_spread_along_the_path(seeded):
    cohort, _ = seeded
    states = set(LessonProgress.objects.values_list("state", flat=True))
    assert states == {"passed", "reading"}
    positions = set(LessonProgress.objects.values_list("lesson__position", flat=True))
    assert len(positions) >= 5


def test_passed_checkpoint_attempts_meet_the_threshold(seeded):
    assert not QuizAttempt.objects.filter(passed=True, score__lt=0.8).exists()
    assert QuizAttempt.objects.filter(passed=False).exists()


def test_some_seeded_students_are_struggling(seeded):
    cohort, _ = seeded
    dashboard = cohort_dashboard(cohort=cohort)
    assert 0 < len(dashboard.struggling) < 40


def test_it_reports_what_it_made(seeded):
    _, output = seeded
    assert "40 students" in output
    assert "480 submissions" in output


def test_an_unknown_course_is_refused(seeded):
    with pytest.raises(CommandError):
        call_command(
            "seed_cohort", "--students", "1", "--course", "no-such-course", stdout=StringIO()
        )


def test_it_writes_in_batches_whatever_the_number_of_students(db):
    """Its speed is bench/dashboard.py's to measure; here, that the work is batched: the
    queries do not grow with the cohort."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command(
        "seed_cohort", "--students", "1", "--submissions-per-student", "1", stdout=StringIO()
    )
    counts = []
    for students in ("5", "60"):
        with CaptureQueriesContext(connection) as queries:
            call_command(
                "seed_cohort", "--students", students, "--submissions-per-student", "4",
                stdout=StringIO(),
            )  # fmt: skip
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
