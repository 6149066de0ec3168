"""The personal calendar feed: /calendar/<token>.ics for calendar apps, which cannot log
in, so the secret token is the key; one event per due date of the courses the student
studies, with their extensions; reset from the profile page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import CalendarFeed, Extension, ScheduleEntry
from courses.services import cohort_join
from courses.views import ics_escape, ics_fold

pytestmark = pytest.mark.django_db

DUE = datetime(2026, 5, 4, 21, 59, tzinfo=UTC)


def feed_url(token):
    return reverse("courses:calendar", args=[token])


def unfold(body: str) -> list[str]:
    """The content lines, folding undone (RFC 5545 3.1)."""
    assert "\n" not in body.replace("\r\n", ""), "a line ends without CR LF"
    return body.replace("\r\n ", "").split("\r\n")


def events(body: str) -> list[dict[str, str]]:
    found, current = [], None
    for line in unfold(body):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return found


@pytest.fixture
def term(quiz_course, cohort, student):
    cohort.time_zone = "Europe/Berlin"
    cohort.save()
    cohort_join(cohort=cohort, user=student)
    return cohort


@pytest.fixture
def feed(student):
    return CalendarFeed.objects.create(user=student)


def entry(cohort, kind, slug, due_at=DUE, **fields):
    return ScheduleEntry.objects.create(
        cohort=cohort, kind=kind, slug=slug, due_at=due_at, **fields
    )


def test_it_serves_text_calendar_with_an_event_per_due_date(client, term, feed):
    entry(term, "exercise", "double")
    entry(term, "quiz", "basics", due_at=DUE + timedelta(days=1))
    entry(term, "lesson", "basics", due_at=None, opens_at=DUE)  # no due date: no event
    response = client.get(feed_url(feed.token))  # no log-in
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert body.endswith("END:VCALENDAR\r\n")
    double, checkpoint = events(body)
    assert double["SUMMARY"] == "Due: Double every entry (Quizzed Course)"
    assert double["DTSTART"] == double["DTEND"] == "20260504T215900Z"
    assert double["URL"] == "http://testserver/courses/quizzed/exercises/double/"
    assert checkpoint["SUMMARY"] == "Due: Checkpoint: basics (Quizzed Course)"
    assert checkpoint["DTSTART"] == "20260505T215900Z"
    assert checkpoint["URL"] == "http://testserver/courses/quizzed/lessons/basics/#checkpoint"
    assert "late work loses 10% per day\\, down to 50%" in double["DESCRIPTION"]
    for event in (double, checkpoint):
        assert event["DTSTAMP"].endswith("Z")


def test_uids_are_stable_per_entry_and_person(client, term, feed, second_student):
    entry(term, "exercise", "double")
    entry(term, "quiz", "basics")
    first = [e["UID"] for e in events(client.get(feed_url(feed.token)).content.decode())]
    again = [e["UID"] for e in events(client.get(feed_url(feed.token)).content.decode())]
    assert first == again
    assert len(set(first)) == 2
    cohort_join(cohort=term, user=second_student)
    theirs = CalendarFeed.objects.create(user=second_student)
    other = [e["UID"] for e in events(client.get(feed_url(theirs.token)).content.decode())]
    assert not set(other) & set(first)


def test_my_extension_moves_my_event_and_says_why(client, term, feed, student, second_student):
    due = entry(term, "exercise", "double")
    Extension.objects.create(entry=due, user=student, due_at=DUE + timedelta(days=3), reason="ill")
    [mine] = events(client.get(feed_url(feed.token)).content.decode())
    assert mine["DTSTART"] == "20260507T215900Z"
    assert "Your date is extended (was Mon 4 May 2026\\, 23:59 CEST): ill" in mine["DESCRIPTION"]
    cohort_join(cohort=term, user=second_student)
    theirs = CalendarFeed.objects.create(user=second_student)
    [event] = events(client.get(feed_url(theirs.token)).content.decode())
    assert event["DTSTART"] == "20260504T215900Z"
    assert "ill" not in event["DESCRIPTION"]


def test_only_the_cohorts_i_study_in(
    client, term, feed, other_cohort, second_student, cohort_instructor, other_instructor
):
    entry(other_cohort, "exercise", "double", due_at=DUE + timedelta(days=9))
    cohort_join(cohort=other_cohort, user=second_student)
    assert events(client.get(feed_url(feed.token)).content.decode()) == []
    # The instructor of a cohort studies in none: their feed is empty too.
    entry(term, "exercise", "double")
    teacher = CalendarFeed.objects.create(user=cohort_instructor)
    assert events(client.get(feed_url(teacher.token)).content.decode()) == []


def test_text_values_are_escaped_and_long_lines_folded(client, term, feed, quiz_course):
    quiz_course.title = "Gradients, losses; and\\ more\nnew line — " + "é" * 40
    quiz_course.save()
    entry(term, "exercise", "double")
    body = client.get(feed_url(feed.token)).content.decode()
    for line in body.split("\r\n"):
        assert len(line.encode()) <= 75, line
    [event] = events(body)
    assert event["SUMMARY"] == (
        "Due: Double every entry (Gradients\\, losses\\; and\\\\ more\\nnew line — "
        + "é" * 40
        + ")"
    )


def test_folding_never_splits_a_character_and_continuations_start_with_a_space():
    line = "SUMMARY:" + "ü" * 100
    folded = ics_fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(part[1:] if i else part for i, part in enumerate(parts)) == line
    assert ics_fold("SUMMARY:short") == "SUMMARY:short"
    assert ics_escape("a,b;c\\d\r\ne\x00f") == "a\\,b\\;c\\\\d\\nef"


def test_an_unknown_token_is_a_404(client, term, feed):
    assert client.get(feed_url("not-the-token")).status_code == 404


def test_the_profile_shows_the_feed_and_a_reset_replaces_it_at_once(student_client, student):
    assert not CalendarFeed.objects.filter(user=student).exists()
    page = student_client.get(reverse("accounts:profile")).content.decode()
    feed = CalendarFeed.objects.get(user=student)
    assert f"http://testserver{feed_url(feed.token)}" in page
    assert f"webcal://testserver{feed_url(feed.token)}" in page
    assert "Reset the calendar link" in page
    old = feed.token
    response = student_client.post(reverse("accounts:calendar_reset"))
    assert response.status_code == 302
    new = CalendarFeed.objects.get(user=student).token
    assert new != old
    assert student_client.get(feed_url(old)).status_code == 404
    assert student_client.get(feed_url(new)).status_code == 200
    assert feed_url(new) in student_client.get(reverse("accounts:profile")).content.decode()


def test_the_reset_needs_a_post_and_a_log_in(student_client):
    assert student_client.get(reverse("accounts:calendar_reset")).status_code == 405
    student_client.logout()
    response = student_client.post(reverse("accounts:calendar_reset"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not CalendarFeed.objects.exists()


def test_a_deactivated_account_has_no_feed(client, term, feed, student):
    entry(term, "exercise", "double", due_at=timezone.now())
    student.is_active = False
    student.save()
    assert client.get(feed_url(feed.token)).status_code == 404
