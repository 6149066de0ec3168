"""The schedule page: who may open it, a group of items scheduled in one POST with local
times turned into UTC in the cohort's zone, what is refused (a time the clocks skip, an
open date after the due date), extensions granted, refused and revoked; the dashboard's
marks; the gradebook's raw and counted scores with the late penalty."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from courses.models import Extension, ScheduleEntry
from tests.factories import QuizAttemptFactory, SubmissionFactory

from .conftest import enrol

pytestmark = pytest.mark.django_db

BERLIN = "Europe/Berlin"
QUIZ, EXERCISE, LESSON = "quiz:basics", "exercise:double", "lesson:basics"
DUE = datetime(2026, 5, 4, 21, 59, tzinfo=UTC)  # Mon 4 May 2026, 23:59 in Berlin (CEST)


def page_url(cohort):
    return reverse("teaching:schedule", args=[cohort.uuid])


def items_url(cohort):
    return reverse("teaching:schedule_items", args=[cohort.uuid])


def grant_url(cohort):
    return reverse("teaching:extension_grant", args=[cohort.uuid])


def revoke_url(cohort):
    return reverse("teaching:extension_revoke", args=[cohort.uuid])


@pytest.fixture
def berlin(cohort):
    cohort.time_zone = BERLIN
    cohort.save()
    return cohort


def values(**changes):
    """A POST of the items form: one set of values for the items ticked."""
    data = {
        "action": "set",
        "items": [QUIZ, EXERCISE],
        "opens_at": "",
        "due_at": "2026-05-04T23:59",
        "policy": "penalty",
        "penalty_percent": "10",
        "penalty_unit": "day",
        "floor_percent": "50",
    }
    data.update(changes)
    return data


def scheduled(cohort, kind="exercise", slug="double", **fields):
    return ScheduleEntry.objects.create(cohort=cohort, kind=kind, slug=slug, **fields)


# Who may open it ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, cohort):
    response = client.get(page_url(cohort))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["student", "other_instructor"])
def test_a_student_and_another_cohorts_instructor_are_refused(
    client, cohort, other_cohort, who, request
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(page_url(cohort)).status_code in (403, 404)
    assert client.post(items_url(cohort), values()).status_code in (403, 404)
    assert client.post(grant_url(cohort), {}).status_code in (403, 404)
    assert not ScheduleEntry.objects.exists()


@pytest.mark.parametrize("who", ["cohort_instructor", "instructor"])
def test_the_cohorts_instructor_and_staff_may_open_it(client, cohort, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(page_url(cohort))
    assert response.status_code == 200
    for title in ("Basics", "Checkpoint: basics", "Double every entry"):
        assert title in response.content.decode()


def test_revoking_needs_the_cohorts_instructor_too(client, cohort, other_instructor):
    extension = Extension.objects.create(
        entry=scheduled(cohort, due_at=DUE), due_at=DUE.replace(day=9), reason="ill"
    )
    client.force_login(other_instructor)
    assert client.post(revoke_url(cohort), {"extension": extension.pk}).status_code == 403
    assert Extension.objects.filter(pk=extension.pk).exists()


# The schedule ---------------------------------------------------------------------------


def test_a_group_of_items_gets_one_set_of_values_in_one_post(instructor_client, berlin):
    response = instructor_client.post(
        items_url(berlin),
        values(
            opens_at="2026-03-20T09:00",  # CET, UTC+1
            due_at="2026-04-02T23:59",  # CEST, UTC+2
            penalty_percent="5",
            penalty_unit="hour",
            floor_percent="20",
            hide_scores="on",
        ),
    )
    assert response.status_code == 302
    entries = ScheduleEntry.objects.filter(cohort=berlin).order_by("kind")
    assert [(e.kind, e.slug) for e in entries] == [("exercise", "double"), ("quiz", "basics")]
    for entry in entries:
        assert entry.opens_at == datetime(2026, 3, 20, 8, 0, tzinfo=UTC)
        assert entry.due_at == datetime(2026, 4, 2, 21, 59, tzinfo=UTC)
        assert (entry.policy, entry.penalty_percent, entry.penalty_unit) == ("penalty", 5, "hour")
        assert (entry.floor_percent, entry.hide_scores) == (20, True)


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ("2026-01-15T23:59", datetime(2026, 1, 15, 22, 59, tzinfo=UTC)),  # winter, UTC+1
        ("2026-07-15T23:59", datetime(2026, 7, 15, 21, 59, tzinfo=UTC)),  # summer, UTC+2
    ],
)
def test_local_times_are_stored_in_utc_with_the_zones_offset_on_that_date(
    instructor_client, berlin, local, utc
):
    instructor_client.post(items_url(berlin), values(items=[EXERCISE], due_at=local))
    assert ScheduleEntry.objects.get(cohort=berlin).due_at == utc


def test_applying_again_replaces_the_values_of_the_ticked_items_only(instructor_client, berlin):
    instructor_client.post(items_url(berlin), values(items=[QUIZ, EXERCISE]))
    instructor_client.post(
        items_url(berlin),
        values(items=[EXERCISE, LESSON], due_at="2026-05-11T12:00", policy="close"),
    )
    entries = {e.kind: e for e in ScheduleEntry.objects.filter(cohort=berlin)}
    assert entries["quiz"].due_at == DUE
    assert entries["quiz"].policy == "penalty"
    assert entries["exercise"].due_at == datetime(2026, 5, 11, 10, 0, tzinfo=UTC)
    assert entries["exercise"].policy == entries["lesson"].policy == "close"


def test_the_page_shows_dates_in_the_cohorts_zone(instructor_client, berlin):
    scheduled(berlin, due_at=DUE, opens_at=datetime(2026, 5, 1, 7, 0, tzinfo=UTC))
    content = instructor_client.get(page_url(berlin)).content.decode()
    assert "Mon 4 May 2026, 23:59 CEST" in content
    assert "Fri 1 May 2026, 09:00 CEST" in content
    assert "−10% per day late, down to 50%" in content


def test_editing_one_item_fills_the_form_with_its_local_values(instructor_client, berlin):
    scheduled(berlin, due_at=DUE, policy="accept")
    response = instructor_client.get(page_url(berlin), {"edit": EXERCISE})
    form = response.context["form"]
    assert form["due_at"].value() == "2026-05-04T23:59"
    assert form["policy"].value() == "accept"
    assert response.context["selected"] == {EXERCISE}


def test_a_time_the_clocks_skip_is_refused_with_its_message_and_nothing_stored(
    instructor_client, berlin
):
    response = instructor_client.post(items_url(berlin), values(due_at="2026-03-29T02:30"))
    assert response.status_code == 400
    assert response.context["form"].errors["due_at"] == [
        "2026-03-29 02:30 does not exist in Europe/Berlin: the clocks skip it (daylight "
        "saving); pick a time outside the gap."
    ]
    assert "does not exist in Europe/Berlin" in response.content.decode()
    assert not ScheduleEntry.objects.exists()


def test_a_refused_forms_page_links_back_to_the_schedule_page(instructor_client, berlin):
    # It is rendered at the POST's address: relative links would lead to a POST-only view.
    content = instructor_client.post(items_url(berlin), values(items=[])).content.decode()
    assert f'href="{page_url(berlin)}?select=all#items"' in content
    assert f'href="{page_url(berlin)}?edit=quiz%3Abasics#values"' in content


@pytest.mark.parametrize("opens", ["2026-05-05T08:00", "2026-05-04T23:59"])
def test_an_open_date_not_before_the_due_date_is_refused(instructor_client, berlin, opens):
    response = instructor_client.post(items_url(berlin), values(opens_at=opens))
    assert response.status_code == 400
    assert response.context["form"].errors["opens_at"] == [
        "The open date must be before the due date."
    ]
    assert not ScheduleEntry.objects.exists()


@pytest.mark.parametrize("field", ["penalty_percent", "floor_percent"])
@pytest.mark.parametrize("value", ["-1", "100.5", "lots"])
def test_percentages_are_from_0_to_100(instructor_client, berlin, field, value):
    response = instructor_client.post(items_url(berlin), values(**{field: value}))
    assert response.context["form"].errors[field] == ["A percentage from 0 to 100."]
    assert not ScheduleEntry.objects.exists()


def test_a_date_that_does_not_parse_is_refused(instructor_client, berlin):
    response = instructor_client.post(items_url(berlin), values(due_at="next friday"))
    assert "Enter a date and a time" in response.context["form"].errors["due_at"][0]
    assert not ScheduleEntry.objects.exists()


def test_nothing_ticked_is_refused(instructor_client, berlin):
    response = instructor_client.post(items_url(berlin), values(items=[]))
    assert response.status_code == 400
    assert "Select at least one item." in response.content.decode()


def test_an_item_not_in_the_course_is_refused(instructor_client, berlin):
    response = instructor_client.post(items_url(berlin), values(items=["exercise:other"]))
    assert response.status_code == 400
    assert not ScheduleEntry.objects.exists()


def test_clear_removes_the_schedule_of_the_ticked_items_and_their_extensions(
    instructor_client, berlin, student
):
    exercise = scheduled(berlin, due_at=DUE)
    scheduled(berlin, kind="quiz", slug="basics", due_at=DUE)
    Extension.objects.create(entry=exercise, user=student, due_at=DUE.replace(day=8), reason="x")
    # The values are not looked at when clearing, even ones that would be refused.
    response = instructor_client.post(
        items_url(berlin), values(action="clear", items=[EXERCISE], due_at="2026-03-29T02:30")
    )
    assert response.status_code == 302
    assert list(ScheduleEntry.objects.values_list("kind", flat=True)) == ["quiz"]
    assert not Extension.objects.exists()
    page = instructor_client.get(page_url(berlin)).content.decode()
    assert "Cleared the schedule of 1 item and 1 extension." in page


def test_the_time_zone_is_chosen_from_the_known_zones(instructor_client, cohort):
    url = reverse("teaching:schedule_time_zone", args=[cohort.uuid])
    assert instructor_client.post(url, {"time_zone": "America/Sao_Paulo"}).status_code == 302
    cohort.refresh_from_db()
    assert cohort.time_zone == "America/Sao_Paulo"
    response = instructor_client.post(url, {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 400
    assert "Mars/Olympus_Mons is not a time zone this server knows." in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.time_zone == "America/Sao_Paulo"


# Extensions -----------------------------------------------------------------------------


def extension(**changes):
    data = {"student": "", "item": EXERCISE, "due_at": "2026-05-08T12:00", "reason": "ill"}
    data.update(changes)
    return data


def test_an_extension_for_a_student(instructor_client, berlin, student, cohort_instructor):
    entry = scheduled(berlin, due_at=DUE)
    response = instructor_client.post(grant_url(berlin), extension(student=str(student.id)))
    assert response.status_code == 302
    granted = Extension.objects.get()
    assert (granted.entry, granted.user, granted.reason) == (entry, student, "ill")
    assert granted.due_at == datetime(2026, 5, 8, 10, 0, tzinfo=UTC)
    assert granted.granted_by == cohort_instructor
    page = instructor_client.get(page_url(berlin)).content.decode()
    assert "Fri 8 May 2026, 12:00 CEST" in page
    assert "Revoke" in page


def test_an_extension_for_the_whole_cohort(instructor_client, berlin):
    scheduled(berlin, due_at=DUE)
    instructor_client.post(grant_url(berlin), extension(student="cohort", reason="fire drill"))
    granted = Extension.objects.get()
    assert granted.user is None
    assert granted.reason == "fire drill"
    assert "The whole cohort" in instructor_client.get(page_url(berlin)).content.decode()


def test_granting_again_replaces_the_students_extension(instructor_client, berlin, student):
    scheduled(berlin, due_at=DUE)
    instructor_client.post(grant_url(berlin), extension(student=str(student.id)))
    instructor_client.post(
        grant_url(berlin), extension(student=str(student.id), due_at="2026-05-10T12:00")
    )
    assert Extension.objects.get().due_at == datetime(2026, 5, 10, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("new_due", ["2026-05-04T23:59", "2026-05-03T12:00"])
def test_an_extension_not_later_than_the_due_date_is_refused(
    instructor_client, berlin, student, new_due
):
    scheduled(berlin, due_at=DUE)
    response = instructor_client.post(
        grant_url(berlin), extension(student=str(student.id), due_at=new_due)
    )
    assert response.status_code == 400
    assert response.context["extension_form"].errors["due_at"] == [
        "The new due date must be later than the item's due date, Mon 4 May 2026, 23:59 CEST."
    ]
    assert not Extension.objects.exists()


def test_an_extension_needs_a_reason_and_a_student_of_this_cohort(
    instructor_client, berlin, other_instructor
):
    scheduled(berlin, due_at=DUE)
    response = instructor_client.post(
        grant_url(berlin), extension(student=str(other_instructor.id), reason="")
    )
    errors = response.context["extension_form"].errors
    assert errors["student"] == ["Choose a student of this cohort."]
    assert errors["reason"] == ["Give a reason: the student sees it with their date."]
    assert not Extension.objects.exists()


def test_an_item_without_a_due_date_cannot_be_extended(instructor_client, berlin, student):
    scheduled(berlin, opens_at=DUE)
    response = instructor_client.post(grant_url(berlin), extension(student=str(student.id)))
    assert response.context["extension_form"].errors["item"] == ["Choose an item with a due date."]
    assert not Extension.objects.exists()


def test_revoke(instructor_client, berlin, student):
    granted = Extension.objects.create(
        entry=scheduled(berlin, due_at=DUE), user=student, due_at=DUE.replace(day=8), reason="ill"
    )
    response = instructor_client.post(revoke_url(berlin), {"extension": granted.pk}, follow=True)
    assert not Extension.objects.exists()
    assert "Revoked the extension of Double every entry for ada." in response.content.decode()


def test_another_cohorts_extension_cannot_be_revoked_from_here(
    instructor_client, berlin, other_cohort
):
    theirs = Extension.objects.create(
        entry=scheduled(other_cohort, due_at=DUE), due_at=DUE.replace(day=8), reason="theirs"
    )
    response = instructor_client.post(revoke_url(berlin), {"extension": theirs.pk}, follow=True)
    assert Extension.objects.filter(pk=theirs.pk).exists()
    assert "That extension was already revoked." in response.content.decode()


# The dashboard's marks -------------------------------------------------------------------


def dashboard_url(cohort):
    return reverse("teaching:cohort", args=[cohort.uuid])


def test_the_dashboard_marks_a_students_extended_item_and_links_the_schedule(
    instructor_client, berlin, student, second_student
):
    entry = scheduled(berlin, due_at=DUE)
    Extension.objects.create(entry=entry, user=student, due_at=DUE.replace(day=8), reason="ill")
    content = instructor_client.get(dashboard_url(berlin)).content.decode()
    assert content.count("extension, due Fri 8 May 2026, 23:59 CEST") == 1
    assert page_url(berlin) in content
    ada = next(line for line in content.splitlines() if ">ada</a>" in line)
    assert "ext." in ada
    alan = next(line for line in content.splitlines() if ">alan</a>" in line)
    assert "ext." not in alan


def test_the_dashboard_marks_the_column_of_a_whole_cohorts_extension(instructor_client, berlin):
    Extension.objects.create(
        entry=scheduled(berlin, due_at=DUE), due_at=DUE.replace(day=8), reason="fire drill"
    )
    content = instructor_client.get(dashboard_url(berlin)).content.decode()
    assert "extension for the whole cohort, due Fri 8 May 2026, 23:59 CEST" in content


def test_the_dashboards_extension_marks_take_one_query_whatever_the_cohort(
    instructor_client, berlin, django_assert_max_num_queries
):
    entry = scheduled(berlin, due_at=DUE)
    url = dashboard_url(berlin)
    instructor_client.get(url)
    with django_assert_max_num_queries(20) as small:
        instructor_client.get(url)
    for user in enrol(berlin, 12):
        Extension.objects.create(entry=entry, user=user, due_at=DUE.replace(day=8), reason="x")
    with django_assert_max_num_queries(20) as large:
        content = instructor_client.get(url).content.decode()
    assert content.count("extension, due Fri 8 May") == 12
    assert len(small.captured_queries) == len(large.captured_queries)


# The gradebook ---------------------------------------------------------------------------


def gradebook(client, cohort) -> list[list[str]]:
    response = client.get(reverse("teaching:gradebook", args=[cohort.uuid]))
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def test_the_gradebook_shows_raw_and_counted_scores_with_the_late_penalty(
    instructor_client, berlin, student, second_student, quiz, exercise
):
    # Ada: 0.6 on time, then 1.0 two days late at 70%: the late one counts, 3.5 of 5.
    SubmissionFactory(student=student, exercise=exercise, score=0.6)
    SubmissionFactory(student=student, exercise=exercise, score=1.0, verdict="passed",
                      late_by_s=2 * 86400, score_factor=0.7)  # fmt: skip
    QuizAttemptFactory(user=student, quiz=quiz, score=1.0, late_by_s=3600, score_factor=0.9)
    # Alan: 0.8 on time beats 1.0 late at 50%: the on-time one counts, no penalty.
    SubmissionFactory(student=second_student, exercise=exercise, score=0.8)
    SubmissionFactory(student=second_student, exercise=exercise, score=1.0, verdict="passed",
                      late_by_s=5 * 86400, score_factor=0.5)  # fmt: skip
    rows = gradebook(instructor_client, berlin)
    assert rows[0][3:] == [
        "Checkpoint: basics (score %)",
        "Checkpoint: basics (counted %, best attempt)",
        "Checkpoint: basics (late penalty %)",
        "Double every entry (score, of 5 points)",
        "Double every entry (counted, of 5 points, best attempt)",
        "Double every entry (late penalty %)",
        "Double every entry (score changed by staff)",
        "points earned",
        "points possible",
        "percent",
    ]
    assert rows[1][3:] == ["100", "90", "10", "5", "3.5", "30", "", "3.5", "5", "70"]
    assert rows[2][3:] == ["", "", "", "5", "4", "0", "", "4", "5", "80"]


# A teaching assistant ----------------------------------------------------------------------


@pytest.fixture
def assistant(cohort):
    from courses.models import Membership
    from tests.conftest import person

    user = person("tess")
    Membership.objects.create(cohort=cohort, user=user, role=Membership.Role.ASSISTANT)
    return user


def test_an_assistant_reads_the_schedule_and_grants_extensions_but_does_not_change_it(
    client, berlin, student, assistant
):
    entry = scheduled(berlin, due_at=DUE)
    client.force_login(assistant)
    page = client.get(page_url(berlin))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Apply to the ticked items" not in text
    assert "Save the time zone" not in text
    assert client.post(items_url(berlin), values()).status_code == 403
    assert client.post(items_url(berlin), values(action="clear")).status_code == 403
    time_zone = reverse("teaching:schedule_time_zone", args=[berlin.uuid])
    assert client.post(time_zone, {"time_zone": "UTC"}).status_code == 403
    entry.refresh_from_db()
    assert entry.due_at == DUE
    berlin.refresh_from_db()
    assert berlin.time_zone == BERLIN
    granted = client.post(
        grant_url(berlin),
        {"student": student.pk, "item": EXERCISE, "due_at": "2026-05-09T12:00", "reason": "ill"},
    )
    assert granted.status_code == 302
    extension = Extension.objects.get(entry=entry, user=student)
    assert extension.granted_by == assistant
    assert client.post(revoke_url(berlin), {"extension": extension.pk}).status_code == 302
    assert not Extension.objects.exists()
