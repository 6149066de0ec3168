"""`make run`'s demo cohort: seeded students, the demo student in it, a schedule around
today, the join code printed; a second run changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from courses.models import Cohort, Membership, ScheduleEntry


@pytest.mark.django_db
def test_the_demo_cohort_has_people_activity_and_due_dates_around_today(settings):
    settings.DEBUG = True
    call_command("demo_users", stdout=StringIO())
    out = StringIO()
    call_command("demo_cohort", "--students", "6", stdout=out)
    cohort = Cohort.objects.get(name="Demo cohort")
    assert cohort.join_code in out.getvalue()
    assert cohort.time_zone == "Europe/London"
    roles = dict(Membership.objects.filter(cohort=cohort).values_list("user__username", "role"))
    assert roles["instructor"] == "instructor"
    assert roles["student"] == "student"
    assert sum(role == "student" for role in roles.values()) == 7
    assert cohort.course.exercises.filter(submissions__student__memberships__cohort=cohort).exists()
    now = timezone.now()
    entries = ScheduleEntry.objects.filter(cohort=cohort)
    assert entries.filter(due_at__lt=now).exists()
    assert entries.filter(due_at__gt=now).exists()
    assert {"lesson", "quiz", "exercise"} == set(entries.values_list("kind", flat=True))
    [welcome] = cohort.announcements.all()
    assert welcome.title == "Welcome to the demo cohort"

    again = StringIO()
    call_command("demo_cohort", "--students", "6", stdout=again)
    assert Cohort.objects.filter(name="Demo cohort").count() == 1
    assert cohort.announcements.count() == 1
    assert cohort.join_code in again.getvalue()


@pytest.mark.django_db
def test_it_refuses_with_debug_off_and_without_the_demo_users(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("demo_cohort")
    settings.DEBUG = True
    with pytest.raises(CommandError, match="demo_users"):
        call_command("demo_cohort")
