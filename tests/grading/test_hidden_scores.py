"""Exam style: before the due date of an exercise whose schedule hides scores, a student
sees that a submission was received and graded, and the checks' names: never its verdict,
score, messages, failing inputs, hints, figures or output. Enforced in the JSON (the API
and what the page polls) and on the page; staff and instructors are unaffected, and after
the (student's own) due date everything shows."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Extension, ScheduleEntry
from courses.services import cohort_create, cohort_join
from grading.models import Submission
from tests.conftest import person

pytestmark = pytest.mark.django_db

# Every one of these is a result detail: none may reach a student while scores are hidden.
SECRETS = (
    "SECRET-MESSAGE",
    "SECRET-CHECK-MESSAGE",
    "SECRET-MISTAKE-HINT",
    "SECRET-STDOUT",
    "SECRET-STDERR",
    "SECRET-TRACEBACK",
    "SECRET-FIGURE",
    "SECRET-HINT",
    "SECRET-DIAGNOSIS",
    "123.456",  # the failing input
    "First hint: multiply.",  # the exercise's hints unlock with failed attempts
)
RESULT = {
    "message": "SECRET-MESSAGE",
    "hint": "SECRET-HINT",
    "diagnosis": {"kind": "factor", "label": "SECRET-DIAGNOSIS", "message": "SECRET-DIAGNOSIS"},
    "stdout": "SECRET-STDOUT",
    "stderr": "SECRET-STDERR",
    "timings": {"total_ms": 4999},
    "checks": [
        {"name": "matches the reference", "passed": True, "points": 5, "earned": 5},
        {
            "name": "keeps the shape",
            "passed": False,
            "points": 5,
            "earned": 0,
            "message": "SECRET-CHECK-MESSAGE",
            "failing_input": {"arg1": 123.456},
            "diagnosis": {
                "kind": "sign",
                "label": "SECRET-DIAGNOSIS",
                "message": "SECRET-DIAGNOSIS",
            },
            "shrunk": True,
            "mistake": "no-abs",
            "mistake_hint": "SECRET-MISTAKE-HINT",
            "error": {"type": "ValueError", "message": "bad", "traceback": "SECRET-TRACEBACK"},
        },
        {
            "name": "descends",
            "passed": True,
            "points": 0,
            "earned": 0,
            "figure": {"kind": "loss_curve", "title": "SECRET-FIGURE", "reference": {}},
        },
    ],
}
NAMES = ["matches the reference", "keeps the shape", "descends"]


@pytest.fixture
def exam(exercise, cohort_instructor, student):
    """The exercise scheduled exam style, due in two days, for the student's cohort."""
    cohort = cohort_create(course=exercise.course, name="Exam group", created_by=cohort_instructor)
    cohort.time_zone = "Europe/Berlin"
    cohort.save()
    cohort_join(cohort=cohort, user=student)
    return ScheduleEntry.objects.create(
        cohort=cohort,
        kind="exercise",
        slug=exercise.slug,
        due_at=timezone.now() + timedelta(days=2),
        hide_scores=True,
    )


@pytest.fixture
def graded(exercise, make_submission):
    """A failed, graded submission with every kind of detail in its result."""

    def make(student, **fields):
        return make_submission(
            student,
            exercise,
            state=Submission.State.DONE,
            verdict="failed",
            score=0.37,
            result=RESULT,
            **fields,
        )

    return make


def detail_url(submission):
    return f"/api/v1/submissions/{submission.uuid}"


def page_url(exercise):
    return reverse("grading:exercise", args=[exercise.course.slug, exercise.slug])


def assert_nothing_leaks(text: str):
    for secret in SECRETS:
        assert secret not in text, secret
    # The score as a number or a percentage, not digits inside a timestamp or an id.
    assert not re.search(r"(?<![\d.])0\.37(?!\d)", text)
    assert not re.search(r"(?<![\d.])37(\.0)?%", text)


def test_the_api_detail_says_received_and_names_the_checks_only(client, student, exam, graded):
    submission = graded(student)
    client.force_login(student)
    response = client.get(detail_url(submission))
    assert response.status_code == 200
    body = response.json()
    assert_nothing_leaks(response.content.decode())
    assert body["state"] == "done"
    assert body["results_hidden"] is True
    assert body["verdict"] is None
    assert body["score"] is None
    assert body["headline"].startswith("Submitted — results are shown after the due date, ")
    assert body["headline"].endswith(("CET", "CEST"))  # the cohort's zone
    assert body["checks"] == [{"name": name} for name in NAMES]
    assert (body["message"], body["hint"], body["stdout"], body["stderr"]) == ("", None, "", "")
    assert body["diagnosis"] is None
    assert body["hints"] == []
    assert body["duration_ms"] is None
    assert body["finished_at"] is None
    assert body["results_shown_at"] == exam.due_at.isoformat()


def test_a_withheld_result_names_the_same_checks_whatever_its_own_verdict(
    client, student, exam, graded, make_submission, exercise
):
    # A syntax error runs no checks: its result listing none would tell it apart.
    graded(student)
    invalid = make_submission(
        student, exercise, verdict="invalid", score=0.0, result={"message": "SyntaxError"}
    )
    client.force_login(student)
    body = client.get(detail_url(invalid)).json()
    assert body["checks"] == [{"name": name} for name in NAMES]
    assert "SyntaxError" not in json.dumps(body)


def test_a_refinement_still_running_does_not_show_through(client, student, exam, graded):
    # Only a failing check is refined: "refining" would say the attempt failed.
    submission = graded(student, refining=True)
    client.force_login(student)
    body = client.get(detail_url(submission) + "?wait=1&seen=done").json()
    assert (body["refining"], body["progress"]) == (False, "done")


def test_the_api_list_and_a_duplicate_submission_are_withheld_too(
    client, student, exam, graded, published
):
    submission = graded(student)
    client.force_login(student)
    listing = client.get(f"/api/v1/exercises/{exam.slug}/submissions")
    assert_nothing_leaks(listing.content.decode())
    [row] = listing.json()["results"]
    assert (row["verdict"], row["score"], row["results_hidden"]) == (None, None, True)
    again = client.post(
        f"/api/v1/exercises/{exam.slug}/submissions",
        data=json.dumps({"source": submission.source}),
        content_type="application/json",
    )
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert_nothing_leaks(again.content.decode())


def test_the_exercise_page_shows_received_and_the_checks_names_only(
    client, student, exercise, exam, graded
):
    graded(student)
    client.force_login(student)
    page = client.get(page_url(exercise)).content.decode()
    assert_nothing_leaks(page)
    assert "Submitted — results are shown after the due date, " in page
    assert "It was graded on these checks:" in page
    for name in NAMES:
        assert name in page
    assert "Hints are shown after the due date" in page
    assert 'class="verdict-badge verdict-withheld">Submitted<' in page
    assert "Results are shown after the due date" in page  # the deadline note


def test_the_course_home_and_lesson_lists_do_not_show_the_best_score(client, student, exam, graded):
    graded(student)
    client.force_login(student)
    course = exam.cohort.course
    page = client.get(reverse("courses:course", args=[course.slug])).content.decode()
    assert "best 37%" not in page


def test_after_the_due_date_everything_shows(client, student, exercise, exam, graded):
    submission = graded(student)
    ScheduleEntry.objects.filter(pk=exam.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    client.force_login(student)
    body = client.get(detail_url(submission)).json()
    assert body["results_hidden"] is False
    assert (body["verdict"], body["score"]) == ("failed", 0.37)
    assert body["checks"][1]["message"] == "SECRET-CHECK-MESSAGE"
    assert body["hints"] == ["First hint: multiply."]
    page = client.get(page_url(exercise)).content.decode()
    assert "SECRET-MESSAGE" in page
    assert "score 37%" in page


def test_a_students_own_extension_keeps_their_results_hidden_until_it(
    client, student, second_student, exam, graded
):
    cohort_join(cohort=exam.cohort, user=second_student)
    ScheduleEntry.objects.filter(pk=exam.pk).update(due_at=timezone.now() - timedelta(hours=1))
    Extension.objects.create(
        entry=exam, user=student, due_at=timezone.now() + timedelta(days=1), reason="ill"
    )
    mine, theirs = graded(student), graded(second_student)
    client.force_login(student)
    assert client.get(detail_url(mine)).json()["results_hidden"] is True
    client.force_login(second_student)
    assert client.get(detail_url(theirs)).json()["score"] == 0.37


def test_instructors_and_staff_see_their_own_results(
    client, cohort_instructor, instructor, exercise, exam, graded
):
    # The cohort's instructor is no student of it; staff are never held back, even when
    # studying in the cohort.
    cohort_join(cohort=exam.cohort, user=instructor)
    for person_ in (cohort_instructor, instructor):
        submission = graded(person_)
        client.force_login(person_)
        body = client.get(detail_url(submission)).json()
        assert (body["results_hidden"], body["score"]) == (False, 0.37), person_
        page = client.get(page_url(exercise)).content.decode()
        assert "SECRET-MESSAGE" in page


def test_staff_looking_at_a_students_submission_see_its_results(
    client, student, instructor, exam, graded
):
    submission = graded(student)
    client.force_login(instructor)
    body = client.get(detail_url(submission)).json()
    assert (body["results_hidden"], body["verdict"]) == (False, "failed")


def test_a_student_of_another_cohort_without_the_schedule_sees_results(
    client, exercise, exam, graded, other_instructor
):
    outsider = person("kathleen")
    other = cohort_create(course=exercise.course, name="Other", created_by=other_instructor)
    cohort_join(cohort=other, user=outsider)
    submission = graded(outsider)
    client.force_login(outsider)
    assert client.get(detail_url(submission)).json()["score"] == 0.37
