"""The demo cohort `make run` creates: the shipped course, the demo instructor and student,
two dozen seeded students with a few weeks of activity (teaching.management.seeding), and a
schedule with due dates around today and a welcome announcement, so the dashboards and the course home are not empty.
Development only; idempotent."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from courses.announcements import announcement_post
from courses.models import Cohort, Membership
from courses.services import cohort_join
from teaching.management.seeding import course_ensure, schedule_weekly, seed_cohort

NAME = "Demo cohort"
TIME_ZONE = "Europe/London"


class Command(BaseCommand):
    help = "Create the demo cohort with seeded students and a schedule; print its join code."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow with DEBUG off")
        parser.add_argument("--students", type=int, default=24)

    def handle(self, *args, force=False, students=24, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to create demo content with DEBUG off (use --force).")
        users = get_user_model().objects
        instructor = users.filter(username="instructor").first()
        student = users.filter(username="student").first()
        if instructor is None or student is None:
            raise CommandError("Run `manage.py demo_users` first.")
        cohort = Cohort.objects.filter(name=NAME, created_by=instructor).first()
        if cohort is None:
            course = course_ensure()
            cohort = seed_cohort(
                students=students,
                submissions_per_student=10,
                course=course,
                instructor=instructor,
                name=NAME,
            ).cohort
            cohort.time_zone = TIME_ZONE
            cohort.save(update_fields=["time_zone"])
            schedule_weekly(cohort)
            announcement_post(
                cohort=cohort,
                author=instructor,
                title="Welcome to the demo cohort",
                body=(
                    "Each week has a lesson and an exercise; the dates are under "
                    "**What is due**. Late work loses 10% a day. Questions about your "
                    "code? Ask for a review from the exercise page."
                ),
                email=False,
            )
        if not Membership.objects.filter(cohort=cohort, user=student).exists():
            cohort_join(cohort=cohort, user=student)
        self.stdout.write(
            f"demo cohort: “{cohort.name}” on {cohort.course.title}, join code "
            f"{cohort.join_code}; dashboard /teach/cohorts/{cohort.uuid}/"
        )
