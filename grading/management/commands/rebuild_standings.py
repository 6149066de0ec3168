"""Recompute the standings and tallies the cohort pages read (grading/standings.py) from
the submissions, checkpoint attempts and lesson progress: after a bulk import, after a
course's path changed, or to repair them. Safe to run at any time (one transaction)."""

from django.core.management.base import BaseCommand, CommandError

from courses.models import Course
from grading import standings


class Command(BaseCommand):
    help = "Recompute the cohort pages' standings and tallies (all courses, or one)."

    def add_arguments(self, parser):
        parser.add_argument("--course", help="the slug of one course (default: every course)")

    def handle(self, *args, course=None, **options):
        course_id = None
        if course:
            found = Course.objects.filter(slug=course).values_list("id", flat=True).first()
            if found is None:
                raise CommandError(f"no course with the slug {course!r}")
            course_id = found
        written = standings.rebuild(course_id=course_id)
        for table, count in written.items():
            self.stdout.write(f"{table}: {count}")
