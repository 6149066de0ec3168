"""One way to write a moment everywhere, in the viewer's zone: a cohort's student reads
times in the cohort's zone, someone in no cohort in UTC; joining a cohort switches at
once; the filters take a zone of their own where a page is about one cohort."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.urls import reverse

from courses.models import Cohort
from courses.services import cohort_join
from grading.models import Notification
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def notifications_page(client) -> str:
    return client.get(reverse("grading:notifications")).content.decode()


def test_a_student_reads_times_in_their_cohorts_zone(client, student, instructor):
    cohort = Cohort.objects.create(
        course=CourseFactory(), name="Berlin", created_by=instructor, time_zone="Europe/Berlin"
    )
    Notification.objects.create(user=student, text="A comment on line 3", created_at=NOON)
    client.force_login(student)
    assert "Sat 10 Jan 2026, 12:00 UTC" in notifications_page(client)
    # Joining through the page switches the zone on the next request.
    client.post(reverse("courses:join"), {"code": cohort.join_code})
    assert "Sat 10 Jan 2026, 13:00 CET" in notifications_page(client)


def test_someone_joined_elsewhere_keeps_their_zone_for_a_while_then_follows(
    client, student, instructor
):
    cohort = Cohort.objects.create(
        course=CourseFactory(), name="Tokyo", created_by=instructor, time_zone="Asia/Tokyo"
    )
    Notification.objects.create(user=student, text="Hi", created_at=NOON)
    client.force_login(student)
    assert "12:00 UTC" in notifications_page(client)
    cohort_join(cohort=cohort, user=student)  # by an instructor, not this session
    session = client.session
    session["descent_tz"] = ["UTC", 0]  # as if the ten minutes were over
    session.save()
    assert "Sat 10 Jan 2026, 21:00 JST" in notifications_page(client)


def test_the_filters_write_the_sites_one_format():
    template = Template(
        "{% load dates %}{{ at|when }}|{{ at|when:'America/New_York' }}|{{ at|day:'Asia/Tokyo' }}"
        "|{{ missing|when }}|{{ at|when:'Not/AZone' }}"
    )
    text = template.render(Context({"at": NOON}))
    assert text == (
        "Sat 10 Jan 2026, 12:00 UTC|Sat 10 Jan 2026, 07:00 EST|Sat 10 Jan 2026"
        "||Sat 10 Jan 2026, 12:00 UTC"
    )


def test_relative_times_read_as_people_say_them():
    from datetime import timedelta

    from django.utils import timezone

    template = Template("{% load dates %}{{ a|relative }}|{{ b|relative }}|{{ c|relative }}")
    now = timezone.now()
    context = Context(
        {"a": now - timedelta(days=3, hours=1), "b": now + timedelta(hours=5, minutes=1), "c": now}
    )
    assert template.render(context) == "3 days ago|in 5 hours|just now"


def test_the_api_writes_a_submissions_time_as_the_pages_do(client, student, instructor):
    from tests.factories import ExerciseFactory, SubmissionFactory

    course = CourseFactory()
    cohort = Cohort.objects.create(
        course=course, name="Berlin", created_by=instructor, time_zone="Europe/Berlin"
    )
    cohort_join(cohort=cohort, user=student)
    submission = SubmissionFactory(student=student, exercise=ExerciseFactory(course=course))
    type(submission).objects.filter(pk=submission.pk).update(created_at=NOON)
    client.force_login(student)
    body = client.get(f"/api/v1/submissions/{submission.uuid}").json()
    assert body["created_at_text"] == "Sat 10 Jan 2026, 13:00 CET"
