"""Seed a realistic cohort on a course (the shipped one by default) for demos and
benchmarks; see teaching.management.seeding. No grading runs."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from teaching.management.seeding import course_ensure, seed_cohort


class Command(BaseCommand):
    help = "Create a cohort with N students, their progress, quiz attempts and submissions."

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, required=True)
        parser.add_argument("--submissions-per-student", type=int, default=20)
        parser.add_argument("--course", help="course slug (default: the shipped course)")
        parser.add_argument("--seed", type=int, default=0, help="random seed")
        parser.add_argument(
            "--instructor", help="username of an existing user to make the instructor"
        )
        parser.add_argument("--name", help="cohort name")

    def handle(self, *args, **options):
        if options["students"] < 0 or options["submissions_per_student"] < 0:
            raise CommandError("--students and --submissions-per-student must be >= 0")
        instructor = None
        if options["instructor"]:
            instructor = get_user_model().objects.filter(username=options["instructor"]).first()
            if instructor is None:
                raise CommandError(f"no user {options['instructor']!r}")
        try:
            course = course_ensure(slug=options["course"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        started = time.perf_counter()
        seeded = seed_cohort(
            students=options["students"],
            submissions_per_student=options["submissions_per_student"],
            course=course,
            seed=options["seed"],
            instructor=instructor,
            name=options["name"],
        )
        self.stdout.write(
            f"cohort {seeded.cohort.uuid} ({seeded.cohort.name}) on {course.slug}: "
            f"{seeded.students} students, {seeded.progress} lesson progress rows, "
            f"{seeded.attempts} quiz attempts, {seeded.submissions} submissions "
            f"in {time.perf_counter() - started:.1f} s; "
            f"instructor {seeded.instructor.get_username()}"
        )
