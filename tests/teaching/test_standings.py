"""The standings the cohort pages read (grading/standings.py): kept as submissions,
attempts and lesson progress change, equal to a rebuild from scratch, bounded on what
comes out of the jail, and what the paged dashboard filters and sorts by."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from courses.models import LessonProgress
from courses.roster import archive
from grading import standings
from grading.models import (
    TALLY_LABEL_CHARS,
    CohortActivity,
    CourseStanding,
    ExerciseStanding,
    ExerciseTally,
    QuizStanding,
    QuizTally,
    Submission,
)
from grading.services import submission_claim, submission_finish
from judge.engine import GradeResult
from teaching.selectors.dashboard import cohort_dashboard

from .conftest import attempt_quiz, enrol, read, student_member, submit

pytestmark = pytest.mark.django_db

MODELS = (ExerciseStanding, ExerciseTally, QuizStanding, QuizTally, CourseStanding, CohortActivity)


def snapshot() -> dict:
    """Every standing row, without ids, as a comparable set per table."""
    return {
        model.__name__: sorted(
            tuple(sorted((k, str(v)) for k, v in row.items() if k != "id"))
            for row in model.objects.values()
        )
        for model in MODELS
    }


def checks(*rows):
    return {"checks": [dict(row) for row in rows]}


def test_a_submission_counts_at_once_and_a_rebuild_agrees(cohort, student, exercise, quiz, lesson):
    now = timezone.now()
    for n in range(5):
        made = submit(student, exercise, at=now - timedelta(hours=n))
        Submission.objects.filter(pk=made.pk).update(
            result=checks(
                {"name": "doubles", "passed": False, "mistake": "adds", "diagnosis": None},
                {"name": "keeps shape", "passed": True},
            )
        )
        standings.exercise_changed(student.id, exercise.id)
    submit(student, exercise, verdict="passed", score=1.0)
    attempt_quiz(student, quiz, score=0.5, passed=False)
    attempt_quiz(student, quiz, score=1.0, passed=True)
    read(student, lesson, state=LessonProgress.State.PASSED)
    mine = ExerciseStanding.objects.get(student=student, exercise=exercise)
    assert (mine.attempts, mine.graded, mine.failed, mine.passes, mine.pass_attempt) == (
        6,
        6,
        5,
        1,
        6,
    )
    assert QuizStanding.objects.get(user=student, quiz=quiz).passes == 1
    course = CourseStanding.objects.get(user=student, course=exercise.course)
    assert course.done == 3  # lesson, checkpoint and exercise
    tallies = {
        (t.kind, t.label): (t.runs, t.hits)
        for t in ExerciseTally.objects.filter(student=student, exercise=exercise)
    }
    assert tallies[("check", "doubles")] == (5, 5)
    assert tallies[("check", "keeps shape")] == (5, 0)
    assert tallies[("mistake", "adds")] == (5, 5)
    kept = snapshot()
    call_command("rebuild_standings", stdout=StringIO())
    assert snapshot() == kept


def test_grading_through_the_services_moves_the_standing(cohort, student, exercise):
    made = submit(student, exercise, state="queued")
    assert ExerciseStanding.objects.get(student=student, exercise=exercise).passes == 0
    claimed = submission_claim(submission_id=made.id, worker="w")
    submission_finish(
        submission=claimed,
        result=GradeResult(exercise.slug, "passed", 1.0),
        data={"checks": []},
    )
    assert ExerciseStanding.objects.get(student=student, exercise=exercise).passes == 1
    assert CourseStanding.objects.get(user=student, course=exercise.course).done == 1


def test_the_hot_path_leaves_what_a_rebuild_leaves(cohort, student, exercise, lesson):
    """Made and graded through the services, which add a verdict's tallies and touch the
    course standing only when done or stuck moves: the same rows as a recompute."""
    from grading.models import FAILED_ATTEMPTS_STRUGGLING

    wrong = [
        {"name": "doubles", "passed": False, "mistake": "adds", "diagnosis": None},
        {"name": "doubles", "passed": True},  # a name twice in one result counts twice
        {"name": "keeps shape", "passed": False, "diagnosis": {"label": "off by " + "n" * 400}},
        {"name": "x" * 5000, "passed": False},  # cut like every label from the jail
        "not a check",
    ]
    outcomes = [("failed", wrong)] * FAILED_ATTEMPTS_STRUGGLING + [
        ("invalid", []),
        ("passed", [{"name": "doubles", "passed": True}]),
        ("failed", wrong),
    ]
    stuck_seen = []
    for n, (verdict, rows) in enumerate(outcomes):
        if n == 1:  # the first went in with no course standing yet; now one exists
            read(student, lesson, state=LessonProgress.State.PASSED)
        made = submit(student, exercise, state="queued")
        claimed = submission_claim(submission_id=made.id, worker="w")
        score = 1.0 if verdict == "passed" else 0.0
        assert submission_finish(
            submission=claimed,
            result=GradeResult(exercise.slug, verdict, score),
            data={"checks": rows},
        )
        course = CourseStanding.objects.get(user=student, course=exercise.course)
        stuck_seen.append(course.stuck)
        kept = snapshot()
        call_command("rebuild_standings", stdout=StringIO())
        assert snapshot() == kept, verdict
    # Stuck came on with the last failure it takes and went with the pass.
    assert stuck_seen[FAILED_ATTEMPTS_STRUGGLING - 2 : FAILED_ATTEMPTS_STRUGGLING] == [0, 1]
    assert stuck_seen[-1] == 0
    course = CourseStanding.objects.get(user=student, course=exercise.course)
    assert course.done == 2  # the lesson and the exercise
    tallies = {
        (t.kind, t.label): (t.runs, t.hits)
        for t in ExerciseTally.objects.filter(student=student, exercise=exercise)
    }
    failures = FAILED_ATTEMPTS_STRUGGLING + 1
    assert tallies[("check", "doubles")] == (2 * failures + 1, failures)
    assert tallies[("mistake", "adds")] == (failures, failures)


def test_what_comes_out_of_the_jail_is_bounded_and_never_breaks_a_tally():
    hostile = [
        "not a list",
        [{"name": "x" * 10_000, "passed": False, "mistake": "m" * 5000}],
        [None, 7, "check", {"passed": False}, {"name": ["a list"], "passed": False}],
        [{"name": "ok", "passed": False, "diagnosis": {"label": "d" * 500}}],
    ]
    rows = standings.exercise_tallies(hostile)
    assert all(len(label) <= TALLY_LABEL_CHARS for _, label, _, _ in rows)
    kinds = {kind for kind, _, _, _ in rows}
    assert kinds == {"check", "mistake", "diagnosis"}
    diagnosis = next(label for kind, label, _, _ in rows if kind == "diagnosis")
    assert len(diagnosis) == standings.DIAGNOSIS_LABEL_CHARS


def test_a_quiz_tally_counts_answers_the_best_attempt_and_wrong_choices():
    question = type("Q", (), {"spec": {"choices": [{"correct": True}, {"correct": False}]}})()
    attempts = [
        (0.0, {"a": "1"}, {"a": {"correct": False}, "b": {"correct": False}}),
        (1.0, {"a": "0", "b": "x"}, {"a": {"correct": True}, "b": {"correct": True}}),
        (1.0, {"a": "1"}, {"a": {"correct": False}}),  # a tie: the earlier stays best
    ]
    rows = {(k, label): (runs, hits) for k, label, runs, hits in standings.quiz_tallies(
        attempts, {"a": question}
    )}  # fmt: skip
    assert rows[("asked", "a")] == (3, 1)
    assert rows[("unanswered", "b")] == (1, 1)
    assert rows[("picked", "a#1")] == (2, 2)
    assert rows[("best", "a")] == (1, 1)


def test_the_dashboard_pages_sorts_and_searches_in_sql(cohort, exercise):
    pupils = enrol(cohort, 60)
    for index, pupil in enumerate(pupils[:7]):
        for _ in range(index + 1):
            submit(pupil, exercise, verdict="passed", score=1.0)
    first = cohort_dashboard(cohort=cohort, page_size=25)
    assert (first.students, first.matching, first.pages) == (62, 62, 3)
    assert len(first.rows) == 25
    last = cohort_dashboard(cohort=cohort, page_size=25, page=3)
    assert len(last.rows) == 12
    seen = {row.user.id for row in first.rows} | {row.user.id for row in last.rows}
    assert len(seen) == 37  # no student on two pages
    done_first = cohort_dashboard(cohort=cohort, sort="-completion", page_size=7)
    assert {row.user for row in done_first.rows} == set(pupils[:7])
    found = cohort_dashboard(cohort=cohort, search="pupil5")
    assert sorted(row.user.username for row in found.rows) == ["pupil5"] + [
        f"pupil5{n}" for n in range(10)
    ]
    beyond = cohort_dashboard(cohort=cohort, page_size=25, page=99)
    assert beyond.page == 3  # out of range is the last page


def test_struggling_is_counted_over_the_whole_cohort_not_the_page(cohort, exercise):
    pupils = enrol(cohort, 30)
    for pupil in pupils[-3:]:
        for _ in range(5):
            submit(pupil, exercise)
    dashboard = cohort_dashboard(cohort=cohort, page_size=10, idle_days=365)
    assert dashboard.struggling_count == 3
    assert {row.user for row in dashboard.struggling} == set(pupils[-3:])
    only = cohort_dashboard(cohort=cohort, struggling_only=True, idle_days=365)
    assert {row.user for row in only.rows} == set(pupils[-3:])


def test_activity_counts_current_students_per_hour(cohort, student, second_student, exercise):
    submit(student, exercise)
    archive(membership=student_member(cohort, second_student))
    submit(second_student, exercise)
    assert (
        sum(CohortActivity.objects.filter(cohort=cohort).values_list("submissions", flat=True)) == 1
    )


def test_the_rebuild_command_refuses_an_unknown_course(db):
    with pytest.raises(CommandError, match="no course"):
        call_command("rebuild_standings", "--course", "nope", stdout=StringIO())


def test_work_from_before_joining_is_not_the_cohorts_activity(cohort, student, exercise):
    submit(student, exercise, at=timezone.now() - timedelta(days=400))
    assert not CohortActivity.objects.filter(cohort=cohort).exists()
    call_command("rebuild_standings", stdout=StringIO())
    assert not CohortActivity.objects.filter(cohort=cohort).exists()


def test_a_sync_that_changes_the_path_recounts_what_is_done(cohort, student, exercise):
    submit(student, exercise, verdict="passed", score=1.0)
    assert CourseStanding.objects.get(user=student).done == 1
    exercise.__class__.objects.filter(pk=exercise.pk).update(is_active=False)
    standings.path_changed(course_id=exercise.course_id)  # what a changing sync sends
    assert not CourseStanding.objects.filter(user=student, done__gt=0).exists()


def test_the_first_migrate_after_the_upgrade_fills_empty_standings(cohort, student, exercise):
    submit(student, exercise, verdict="passed", score=1.0)
    for model in MODELS:
        model.objects.all().delete()
    standings.fill_if_empty()
    assert CourseStanding.objects.get(user=student).done == 1
    kept = snapshot()
    standings.fill_if_empty()  # not empty: nothing happens
    assert snapshot() == kept
