"""The student's side of the schedule: the course home's "Due soon" and "Overdue" lists
(time in words, extensions, closed items), "continue" to the next unfinished item, the
dates on the checkpoint and the exercise page, refusals, and late notes on results.
"Now" is frozen by placing every date relative to timezone.now()."""

import json
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import schedule
from courses.models import Exercise, Extension, Lesson, LessonProgress, ScheduleEntry
from courses.selectors import duration_words, late_note, policy_words
from courses.services import cohort_join
from grading.models import Submission
from tests.factories import QuizAttemptFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def course_url(course):
    return reverse("courses:course", args=[course.slug])


def lesson_url(lesson):
    return reverse("courses:lesson", args=[lesson.course.slug, lesson.slug])


def exercise_url(exercise):
    return reverse("grading:exercise", args=[exercise.course.slug, exercise.slug])


@pytest.fixture
def term(quiz_course, cohort, student):
    """The quiz course (lesson "basics" with checkpoint "basics" and exercise "double")
    grown by a second lesson, and the student in its Berlin cohort."""
    Lesson.objects.create(
        course=quiz_course,
        slug="second",
        title="Second steps",
        position=2,
        body_markdown="x",
        body_html="<p>x</p>",
    )
    cohort.time_zone = "Europe/Berlin"
    cohort.save()
    cohort_join(cohort=cohort, user=student)
    return cohort


def due(cohort, kind, slug, delta, **fields):
    return ScheduleEntry.objects.create(
        cohort=cohort, kind=kind, slug=slug, due_at=timezone.now() + delta, **fields
    )


def section(page: str, heading: str) -> str:
    """The list under a heading of the "What is due" card."""
    match = re.search(rf'<h3 id="{heading}".*?</h3>\s*(<ul.*?</ul>|<p.*?</p>)', page, re.S)
    assert match, f"no {heading} on the page"
    return match.group(1)


def local(at):
    return schedule.when(at, BERLIN)


# The course home -------------------------------------------------------------------------


def test_due_soon_lists_what_is_due_within_a_week_with_the_time_left_in_words(student_client, term):
    exercise_due = due(term, "exercise", "double", timedelta(days=3, hours=2))
    due(term, "lesson", "second", timedelta(hours=5, minutes=30))
    due(term, "quiz", "basics", timedelta(days=8))  # later than a week
    page = student_client.get(course_url(term.course)).content.decode()
    soon = section(page, "due-soon-heading")
    assert soon.index("Second steps") < soon.index("Double every entry")  # soonest first
    assert "due in 5 hours" in soon
    assert "due in 3 days" in soon
    assert local(exercise_due.due_at) in soon  # in the cohort's zone
    assert exercise_url(Exercise.objects.get(slug="double")) in soon
    assert ">exercise<" in soon
    assert ">reading<" in soon
    assert "Checkpoint: basics" not in soon
    assert "overdue-heading" not in page


def test_overdue_lists_what_is_past_due_and_marks_what_is_closed(student_client, term):
    due(term, "exercise", "double", -timedelta(hours=5, minutes=10))
    due(term, "quiz", "basics", -timedelta(days=2, hours=1), policy="close")
    page = student_client.get(course_url(term.course)).content.decode()
    overdue = section(page, "overdue-heading")
    assert "overdue by 5 hours" in overdue
    assert "overdue by 2 days" in overdue
    assert "still open: late work loses 10% per day, down to 50%" in overdue
    closed = overdue[overdue.index("Checkpoint: basics") :]
    assert 'class="badge badge-closed">closed<' in closed
    assert "Nothing is due in the next 7 days." in page


def test_items_done_are_left_out(student_client, student, term, quiz_course):
    due(term, "exercise", "double", timedelta(days=1))
    due(term, "quiz", "basics", -timedelta(days=1))
    due(term, "lesson", "basics", timedelta(days=1))
    SubmissionFactory(
        student=student, exercise=Exercise.objects.get(slug="double"), verdict="passed", score=1
    )
    LessonProgress.objects.create(
        user=student, lesson=quiz_course.lessons.get(slug="basics"), state="passed"
    )
    page = student_client.get(course_url(term.course)).content.decode()
    assert "Nothing is due in the next 7 days." in page
    assert "overdue-heading" not in page


def test_a_failed_attempt_does_not_make_an_exercise_done(student_client, student, term):
    due(term, "exercise", "double", timedelta(days=1))
    SubmissionFactory(student=student, exercise=Exercise.objects.get(slug="double"))
    page = student_client.get(course_url(term.course)).content.decode()
    assert "Double every entry" in section(page, "due-soon-heading")


def test_my_extension_moves_the_date_and_is_marked_with_its_reason(
    student_client, student, second_student, term
):
    entry = due(term, "exercise", "double", -timedelta(hours=3))
    Extension.objects.create(
        entry=entry, user=student, due_at=timezone.now() + timedelta(days=2, hours=1),
        reason="ill, with a note",
    )  # fmt: skip
    page = student_client.get(course_url(term.course)).content.decode()
    soon = section(page, "due-soon-heading")
    assert "due in 2 days" in soon
    assert "extended: ill, with a note" in soon
    assert "overdue-heading" not in page
    # Someone else's extension is theirs alone.
    cohort_join(cohort=term, user=second_student)
    student_client.force_login(second_student)
    theirs = student_client.get(course_url(term.course)).content.decode()
    assert "ill, with a note" not in theirs
    assert "overdue by 3 hours" in section(theirs, "overdue-heading")


def test_without_a_cohort_schedule_there_is_no_due_card(client, second_student, term):
    due(term, "exercise", "double", timedelta(days=1))
    client.force_login(second_student)  # in no cohort
    page = client.get(course_url(term.course)).content.decode()
    assert "What is due" not in page


def test_the_home_with_a_schedule_needs_a_bounded_number_of_queries(
    student_client, student, term, quiz_course, django_assert_max_num_queries
):
    for position in range(3, 23):
        lesson = Lesson.objects.create(
            course=quiz_course, slug=f"extra-{position}", title=f"Extra {position}",
            position=position, body_markdown="x", body_html="<p>x</p>",
        )  # fmt: skip
        entry = due(term, "lesson", lesson.slug, timedelta(days=position % 9, hours=1))
        Extension.objects.create(entry=entry, user=student, due_at=entry.due_at, reason="r")
    # The home's 8 without a schedule, the cohort, its schedule, the extensions and the
    # cohort's announcements.
    with django_assert_max_num_queries(12):
        response = student_client.get(course_url(quiz_course))
    assert len(response.context["path"].due_soon) > 10


# Continue ----------------------------------------------------------------------------------


def next_item(client, course):
    return client.get(course_url(course)).context["path"].next_item


def test_a_new_student_starts_at_the_first_lesson(student_client, term):
    response = student_client.get(course_url(term.course))
    item = response.context["path"].next_item
    assert (item.kind, item.slug) == ("lesson", "basics")
    assert "Start: Basics" in response.content.decode()


def test_continue_goes_to_the_checkpoint_of_a_lesson_read_and_not_passed(
    student_client, student, term, quiz_course
):
    basics = quiz_course.lessons.get(slug="basics")
    LessonProgress.objects.create(user=student, lesson=basics, state="reading")
    LessonProgress.objects.create(
        user=student, lesson=quiz_course.lessons.get(slug="second"), state="reading"
    )  # seen more recently, but later on the path
    item = next_item(student_client, quiz_course)
    assert (item.kind, item.slug) == ("quiz", "basics")
    # Half read: back to the lesson, where the reading position is restored.
    assert item.continue_url == lesson_url(basics)
    LessonProgress.objects.filter(lesson=basics).update(reading_position=1.0)
    item = next_item(student_client, quiz_course)
    assert item.continue_url == lesson_url(basics) + "#checkpoint"


def test_continue_goes_to_an_exercise_not_passed_before_the_next_lesson(
    student_client, student, term, quiz_course
):
    LessonProgress.objects.create(
        user=student, lesson=quiz_course.lessons.get(slug="basics"), state="passed"
    )
    response = student_client.get(course_url(quiz_course))
    item = response.context["path"].next_item
    assert (item.kind, item.slug) == ("exercise", "double")
    assert f'href="{exercise_url(Exercise.objects.get(slug="double"))}"' in (
        response.content.decode()
    )
    assert "Continue: Double every entry" in response.content.decode()


def test_continue_passes_by_an_item_closed_by_the_schedule(
    student_client, student, term, quiz_course
):
    LessonProgress.objects.create(
        user=student, lesson=quiz_course.lessons.get(slug="basics"), state="passed"
    )
    due(term, "exercise", "double", -timedelta(days=1), policy="close")
    item = next_item(student_client, quiz_course)
    assert (item.kind, item.slug) == ("lesson", "second")


def test_when_everything_is_done_there_is_nothing_to_continue(
    student_client, student, term, quiz_course
):
    LessonProgress.objects.create(
        user=student, lesson=quiz_course.lessons.get(slug="basics"), state="passed"
    )
    LessonProgress.objects.create(
        user=student, lesson=quiz_course.lessons.get(slug="second"), state="reading"
    )
    SubmissionFactory(
        student=student, exercise=Exercise.objects.get(slug="double"), verdict="passed", score=1
    )
    response = student_client.get(course_url(quiz_course))
    assert response.context["path"].next_item is None
    assert "Everything open on the study path is done." in response.content.decode()


# The checkpoint ----------------------------------------------------------------------------


@pytest.fixture
def reader(student_client, lesson, term):
    student_client.post(
        reverse("courses:lesson_think", args=[lesson.course.slug, lesson.slug]), {"skip": "1"}
    )
    return student_client


def test_the_checkpoint_shows_its_dates_policy_and_my_extension(reader, student, term, lesson):
    entry = due(term, "quiz", "basics", timedelta(days=3, hours=1))
    new_due = entry.due_at + timedelta(days=2)
    Extension.objects.create(entry=entry, user=student, due_at=new_due, reason="family matters")
    page = reader.get(lesson_url(lesson)).content.decode()
    checkpoint = page[page.index('id="checkpoint"') :]
    assert "Due <strong><time datetime=" in checkpoint
    assert local(new_due) in checkpoint
    assert "due in 5 days" in checkpoint
    assert f"for you from {local(entry.due_at)}: family matters" in checkpoint
    assert "Late work loses 10% per day, down to 50%." in checkpoint
    assert 'name="q-direction"' in checkpoint  # open: the form is there


def test_a_closed_checkpoint_says_so_instead_of_the_form(reader, term, lesson):
    entry = due(term, "quiz", "basics", -timedelta(hours=2), policy="close")
    page = reader.get(lesson_url(lesson)).content.decode()
    refusal = f"This closed at its due date, {local(entry.due_at)}."
    assert refusal in page
    assert "Closes at the due date." in page
    assert 'name="q-direction"' not in page
    # A form kept open from before is refused with the same words.
    response = reader.post(
        reverse("courses:checkpoint_submit", args=[lesson.course.slug, lesson.slug]),
        {"attempt": "x"},
        follow=True,
    )
    assert refusal in [str(m) for m in response.context["messages"]]


def test_a_checkpoint_not_open_yet_gives_its_opening_date(reader, term, lesson):
    opens = timezone.now() + timedelta(days=1)
    due(term, "quiz", "basics", timedelta(days=4), opens_at=opens)
    page = reader.get(lesson_url(lesson)).content.decode()
    assert f"This opens on {local(opens)}." in page
    assert 'name="q-direction"' not in page


def test_a_late_attempt_says_how_late_and_what_counts(reader, student, quiz, lesson, term):
    attempt = QuizAttemptFactory(
        user=student, quiz=quiz, late_by_s=86400 + 600, score_factor=0.8, score=0.5, passed=False
    )
    page = reader.get(lesson_url(lesson) + f"?attempt={attempt.uuid}").content.decode()
    assert "Late by 1 day 10 minutes: 80% of the score counts." in page


def test_the_reading_due_date_is_in_the_lesson_header(reader, term, lesson):
    due(term, "lesson", "basics", timedelta(hours=20))
    page = reader.get(lesson_url(lesson)).content.decode()
    assert "Reading due <strong>" in page
    assert "due in 20 hours" in page or "due in 19 hours" in page


# The exercise page and the API ----------------------------------------------------------------


def test_the_exercise_page_shows_its_dates_and_a_late_result(student_client, student, term):
    exercise = Exercise.objects.get(slug="double")
    opens = timezone.now() - timedelta(days=3)
    entry = due(term, "exercise", "double", -timedelta(hours=30), opens_at=opens)
    SubmissionFactory(
        student=student, exercise=exercise, verdict="failed", score=0.7,
        late_by_s=30 * 3600, score_factor=0.8,
    )  # fmt: skip
    page = student_client.get(exercise_url(exercise)).content.decode()
    assert local(entry.due_at) in page
    assert "was due 1 day ago" in page
    assert "Late work loses 10% per day, down to 50%. An attempt made now keeps 80%" in page
    assert "Late by 1 day 6 hours: 80% of the score counts, so 70% counts as 56%." in page
    assert '<span class="badge badge-late">late' in page


def test_a_closed_exercise_refuses_the_plain_form_with_its_message(student_client, term, published):
    exercise = Exercise.objects.get(slug="double")
    entry = due(term, "exercise", "double", -timedelta(minutes=5), policy="close")
    response = student_client.post(exercise_url(exercise), {"source": "x = 1\n"}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [f"Not submitted: This closed at its due date, {local(entry.due_at)}."]
    assert not Submission.objects.exists()


def test_a_closed_exercise_refuses_the_api_with_its_message(student_client, term, published):
    entry = due(term, "exercise", "double", -timedelta(minutes=5), policy="close")
    response = student_client.post(
        "/api/v1/exercises/double/submissions",
        data=json.dumps({"source": "x = 1\n"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == f"This closed at its due date, {local(entry.due_at)}."


def test_the_api_carries_how_late_a_submission_was_and_what_counts(student_client, student, term):
    exercise = Exercise.objects.get(slug="double")
    submission = SubmissionFactory(
        student=student, exercise=exercise, late_by_s=86400, score_factor=0.8
    )
    body = student_client.get(f"/api/v1/submissions/{submission.uuid}").json()
    assert (body["late_by_s"], body["score_factor"]) == (86400, 0.8)
    assert body["late_note"] == "late by 1 day: 80% of the score counts"
    [row] = student_client.get("/api/v1/exercises/double/submissions").json()["results"]
    assert (row["late_by_s"], row["score_factor"]) == (86400, 0.8)


# The words ------------------------------------------------------------------------------------


def rules(**fields):
    values = dict(
        opens_at=None, due_at=timezone.now(), policy="penalty", penalty_percent=10.0,
        penalty_unit="day", floor_percent=50.0, hide_scores=False, tz=BERLIN,
    )  # fmt: skip
    return schedule.Deadline(**{**values, **fields})


def test_the_late_policy_in_words():
    assert policy_words(rules()) == "late work loses 10% per day, down to 50%"
    assert policy_words(rules(penalty_percent=2.5, penalty_unit="hour", floor_percent=0)) == (
        "late work loses 2.5% per hour, down to nothing"
    )
    assert policy_words(rules(policy="accept")) == "late work is accepted without penalty"
    assert policy_words(rules(penalty_percent=0)) == "late work is accepted without penalty"
    assert policy_words(rules(policy="close")) == "closes at the due date"


def test_late_notes_and_durations():
    assert late_note(late_by_s=0, score_factor=1.0) == ""
    assert late_note(late_by_s=3600 * 30, score_factor=0.8) == (
        "late by 1 day 6 hours: 80% of the score counts"
    )
    assert late_note(late_by_s=90, score_factor=1.0) == "late by 1 minute: the full score counts"
    assert late_note(late_by_s=3600, score_factor=0.95) == "late by 1 hour: 95% of the score counts"
    assert duration_words(20) == "less than a minute"
    assert duration_words(2 * 86400) == "2 days"
    assert duration_words(3 * 3600 + 5 * 60) == "3 hours 5 minutes"
    assert duration_words(86400 + 3600 * 3 + 60 * 5) == "1 day 3 hours"
