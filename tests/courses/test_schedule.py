"""The schedule's rules at their edges: on time and just late, penalties down to the floor,
days counted on the cohort's wall clock across daylight-saving changes, extensions, and
the refusals submissions and checkpoint attempts get."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from courses import schedule
from courses.models import Extension, Membership, ScheduleEntry
from courses.services import AttemptRefused, cohort_create, cohort_join, quiz_attempt_submit
from grading.services import SubmissionRejected, submission_create
from tests.conftest import person

BERLIN = ZoneInfo("Europe/Berlin")


def deadline(due, *, policy="penalty", percent=10.0, unit="day", floor=50.0, opens=None,
             tz=BERLIN):  # fmt: skip
    return schedule.Deadline(
        opens_at=opens, due_at=due, policy=policy, penalty_percent=percent,
        penalty_unit=unit, floor_percent=floor, hide_scores=False, tz=tz,
    )  # fmt: skip


DUE = datetime(2026, 5, 4, 21, 59, tzinfo=UTC)  # 23:59 in Berlin (summer time)


def test_on_time_up_to_the_due_second_and_late_just_after():
    rules = deadline(DUE)
    assert rules.state(DUE) == "open"
    assert rules.factor(DUE) == 1.0
    just_late = DUE + timedelta(seconds=1)
    assert rules.state(just_late) == "late"
    assert rules.units_late(just_late) == 1
    assert rules.factor(just_late) == pytest.approx(0.9)


def test_each_started_day_costs_the_penalty_down_to_the_floor():
    rules = deadline(DUE)
    assert rules.factor(DUE + timedelta(days=1)) == pytest.approx(0.9)
    assert rules.factor(DUE + timedelta(days=1, seconds=1)) == pytest.approx(0.8)
    assert rules.factor(DUE + timedelta(days=4, hours=1)) == pytest.approx(0.5)
    assert rules.factor(DUE + timedelta(days=40)) == pytest.approx(0.5)


def test_hours_are_real_hours():
    rules = deadline(DUE, percent=5, unit="hour", floor=0)
    assert rules.factor(DUE + timedelta(minutes=59)) == pytest.approx(0.95)
    assert rules.factor(DUE + timedelta(hours=3, minutes=1)) == pytest.approx(0.8)
    assert rules.factor(DUE + timedelta(hours=30)) == 0.0


def test_accept_and_close():
    late = DUE + timedelta(hours=2)
    assert deadline(DUE, policy="accept").factor(late) == 1.0
    assert deadline(DUE, policy="accept").refusal(late) == ""
    closed = deadline(DUE, policy="close")
    assert closed.state(late) == "closed"
    assert closed.refusal(late) == "This closed at its due date, Mon 4 May 2026, 23:59 CEST."
    assert closed.refusal(DUE) == ""


def test_before_the_open_date_it_is_closed_with_the_date_in_the_cohorts_zone():
    opens = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)
    rules = deadline(DUE, opens=opens)
    assert rules.state(opens - timedelta(seconds=1)) == "not_open"
    assert (
        rules.refusal(opens - timedelta(seconds=1)) == "This opens on Fri 1 May 2026, 09:00 CEST."
    )
    assert rules.state(opens) == "open"


def test_a_day_late_ends_at_the_due_time_on_the_wall_clock_across_spring_forward():
    # Due Saturday 12:00 CET; clocks jump from 02:00 to 03:00 on Sunday 29 March, so the
    # first day late ends Sunday 12:00 CEST, 23 real hours after the due date.
    due = schedule.local_to_utc(datetime(2026, 3, 28, 12, 0), BERLIN)
    rules = deadline(due)
    assert rules.units_late(due + timedelta(hours=22, minutes=59)) == 1
    assert rules.units_late(due + timedelta(hours=23, minutes=1)) == 2


def test_and_across_fall_back_the_first_day_is_25_hours():
    due = schedule.local_to_utc(datetime(2026, 10, 24, 12, 0), BERLIN)
    rules = deadline(due)
    assert rules.units_late(due + timedelta(hours=24, minutes=30)) == 1
    assert rules.units_late(due + timedelta(hours=25, minutes=1)) == 2


def test_local_times_the_clocks_skip_are_refused_and_repeated_ones_take_the_first():
    with pytest.raises(ValueError, match="does not exist in Europe/Berlin"):
        schedule.local_to_utc(datetime(2026, 3, 29, 2, 30), BERLIN)
    first = schedule.local_to_utc(datetime(2026, 10, 25, 2, 30), BERLIN)
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_time_in_words():
    assert schedule.in_words(timedelta(days=3, hours=5)) == "3 days"
    assert schedule.in_words(timedelta(hours=1, minutes=59)) == "1 hour"
    assert schedule.in_words(timedelta(seconds=-300)) == "5 minutes"
    assert schedule.in_words(timedelta(seconds=20)) == "less than a minute"


# With the database --------------------------------------------------------------------


@pytest.fixture
def term(db, editable_mean_abs, cohort_instructor):
    exercise = editable_mean_abs
    cohort = cohort_create(course=exercise.course, name="Spring", created_by=cohort_instructor)
    cohort.time_zone = "Europe/Berlin"
    cohort.save()
    student = person("ada")
    cohort_join(cohort=cohort, user=student)
    return cohort, exercise, student


RIGHT = "import numpy as np\n\ndef mean_abs(x):\n    return float(np.mean(np.abs(x)))\n"


def test_extensions_a_students_own_wins_over_the_cohorts_and_never_shortens(term):
    cohort, exercise, student = term
    other = person("alan")
    cohort_join(cohort=cohort, user=other)
    entry = ScheduleEntry.objects.create(cohort=cohort, kind="exercise", slug=exercise.slug,
                                         due_at=DUE)  # fmt: skip
    Extension.objects.create(entry=entry, due_at=DUE + timedelta(days=2), reason="fire drill")
    Extension.objects.create(entry=entry, user=student, due_at=DUE + timedelta(days=5),
                             reason="ill")  # fmt: skip
    mine = schedule.deadline_for(cohort=cohort, user=student, kind="exercise", slug=exercise.slug)
    theirs = schedule.deadline_for(cohort=cohort, user=other, kind="exercise", slug=exercise.slug)
    assert (mine.due_at, mine.extended, mine.reason) == (DUE + timedelta(days=5), True, "ill")
    assert theirs.due_at == DUE + timedelta(days=2)
    assert mine.original_due_at == DUE
    Extension.objects.filter(user=student).update(due_at=DUE - timedelta(days=1))
    shorter = schedule.deadline_for(
        cohort=cohort, user=student, kind="exercise", slug=exercise.slug
    )
    assert (shorter.due_at, shorter.extended) == (DUE, False)
    everything = schedule.deadlines_for(cohort=cohort, user=other)
    assert everything[("exercise", exercise.slug)].due_at == DUE + timedelta(days=2)


def test_a_late_submission_records_how_late_and_its_factor_and_a_closed_one_is_refused(
    term, published
):
    cohort, exercise, student = term
    now = datetime.now(UTC)
    entry = ScheduleEntry.objects.create(
        cohort=cohort, kind="exercise", slug=exercise.slug, due_at=now - timedelta(hours=30)
    )
    late, _ = submission_create(student=student, exercise=exercise, source=RIGHT)
    assert late.score_factor == pytest.approx(0.8)
    assert 30 * 3600 <= late.late_by_s < 30 * 3600 + 60
    entry.policy = ScheduleEntry.Policy.CLOSE
    entry.save()
    with pytest.raises(SubmissionRejected, match="closed at its due date"):
        submission_create(student=student, exercise=exercise, source=RIGHT + "\n")
    Extension.objects.create(entry=entry, user=student, due_at=now + timedelta(days=1),
                             reason="ill")  # fmt: skip
    on_time, created = submission_create(student=student, exercise=exercise, source=RIGHT + "\n")
    assert (created, on_time.score_factor, on_time.late_by_s) == (True, 1.0, 0)
    late.refresh_from_db()
    assert late.score_factor == pytest.approx(0.8)  # earlier attempts keep their factor


def test_instructors_and_unscheduled_items_are_never_refused(term, cohort_instructor, published):
    cohort, exercise, _ = term
    ScheduleEntry.objects.create(cohort=cohort, kind="exercise", slug=exercise.slug,
                                 policy="close", due_at=DUE)  # fmt: skip
    assert Membership.objects.get(user=cohort_instructor).role == "instructor"
    submission, _ = submission_create(student=cohort_instructor, exercise=exercise, source=RIGHT)
    assert submission.score_factor == 1.0


def test_a_checkpoint_that_has_not_opened_refuses_attempts(db, settings, cohort_instructor):
    from courses.importing import course_sync

    course = course_sync(path=settings.SHIPPED_COURSE_DIR).course
    quiz = course.quizzes.first()
    cohort = cohort_create(course=course, name="Spring", created_by=cohort_instructor)
    student = person("ada")
    cohort_join(cohort=cohort, user=student)
    ScheduleEntry.objects.create(cohort=cohort, kind="quiz", slug=quiz.slug,
                                 opens_at=datetime.now(UTC) + timedelta(days=1))  # fmt: skip
    with pytest.raises(AttemptRefused, match="This opens on"):
        quiz_attempt_submit(user=student, quiz=quiz, answers={}, token="")
    assert not quiz.attempts.exists()
