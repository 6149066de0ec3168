"""A realistic cohort for demos and benchmarks, written straight to the database.

Each student gets a pace: how far along the study path they are (lessons before it
passed, the one at it being read, the rest untouched), spread over the last 30 days.
Checkpoints get one to three attempts, the last passing for passed lessons; submissions
go to the exercises of the lessons reached, with scores that climb attempt by attempt,
checks named as the exercise's real checks, and failing checks that sometimes match one
of its real known mistakes. A few students stall on one exercise (many failures, no
pass) and a few stop working a couple of weeks ago, so the dashboard has someone to
flag. Nothing is graded: every row is written with bulk_create in batches.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from courses.importing import course_sync
from courses.models import (
    Cohort,
    Course,
    Exercise,
    Extension,
    LessonProgress,
    Membership,
    Quiz,
    QuizAttempt,
    ScheduleEntry,
)
from courses.schedule import local_to_utc, zone
from grading import standings
from grading.models import Submission, source_digest
from judge.exercise import ExerciseInvalid, exercise_from_course

BATCH = 1000
DAYS = 30


@dataclass
class Seeded:
    cohort: Cohort
    instructor: object
    students: int
    progress: int
    attempts: int
    submissions: int


@dataclass
class ExerciseShape:
    """What a fake result needs from the exercise's files: check names and points, and
    the known mistakes' slugs and titles."""

    checks: list[tuple[str, float]]
    mistakes: list[tuple[str, str]]


def course_ensure(*, slug: str | None = None) -> Course:
    """The named course, importing the shipped course from its files when it is missing."""
    courses = Course.objects.filter(is_preview=False)
    course = courses.filter(slug=slug).first() if slug else courses.first()
    if course is None or not course.lessons.exists():
        course = course_sync(path=Path(settings.SHIPPED_COURSE_DIR)).course
        if slug and course.slug != slug:
            raise ValueError(f"no course {slug!r}; the shipped course is {course.slug!r}")
    return course


def _shape(course: Course, exercise: Exercise) -> ExerciseShape:
    try:
        spec = exercise_from_course(Path(course.source_path), exercise.slug)
    except (ExerciseInvalid, OSError):
        return ExerciseShape(checks=[("checks", 1.0)], mistakes=[])
    return ExerciseShape(
        checks=[(check.name, float(getattr(check, "points", 1.0))) for check in spec.checks]
        or [("checks", 1.0)],
        mistakes=[(mistake.slug, mistake.title) for mistake in spec.mistakes],
    )


def _result(rng: random.Random, shape: ExerciseShape, verdict: str) -> tuple[float, dict]:
    total = sum(points for _, points in shape.checks) or 1.0
    rows = []
    mistake = None
    for name, points in shape.checks:
        passed = verdict == "passed" or (verdict == "failed" and rng.random() < 0.55)
        row = {
            "name": name,
            "passed": passed,
            "points": points,
            "earned": points if passed else 0.0,
            "message": "" if passed else "output differs from the reference",
            "failing_input": None,
            "shrunk": False,
            "mistake": None,
            "error": None,
            "figure": None,
        }
        if not passed and shape.mistakes and rng.random() < 0.5:
            slug, _title = rng.choice(shape.mistakes)
            row["mistake"] = slug
            mistake = mistake or slug
        rows.append(row)
    if verdict == "failed" and all(row["passed"] for row in rows):
        rows[-1].update(passed=False, earned=0.0, message="output differs from the reference")
    earned = sum(row["earned"] for row in rows)
    score = 1.0 if verdict == "passed" else round(earned / total, 4)
    failed = [row for row in rows if not row["passed"]]
    messages = {
        "passed": "all checks passed",
        "failed": f"{len(failed)} of {len(rows)} checks failed",
        "error": "your function raised an exception",
        "timeout": "time limit exceeded",
        "invalid": "the source does not define the function",
    }
    if verdict in ("error", "timeout", "invalid"):
        score = 0.0
        rows = [] if verdict == "invalid" else rows
        for row in rows:
            row.update(passed=False, earned=0.0, mistake=None)
    return score, {
        "verdict": verdict,
        "score": score,
        "message": messages[verdict],
        "checks": rows,
        "hint": None,
        "mistake": mistake if verdict == "failed" else None,
        "stdout": "",
        "stderr": "",
        "timings": {"total_ms": round(rng.uniform(40, 400), 2)},
        "checks_version": "seeded",
    }


@dataclass
class _CoursePlan:
    """What a seeded student can work on: the lessons in order, each one's checkpoint and
    exercises, and each exercise's checks and known mistakes."""

    lessons: list
    quiz_of: dict
    exercises_of: dict[int, list[Exercise]]
    shapes: dict[int, ExerciseShape]

    @classmethod
    def of(cls, course: Course) -> "_CoursePlan":
        exercises_of: dict[int, list[Exercise]] = {}
        for exercise in Exercise.objects.filter(
            course=course, is_active=True, lesson__isnull=False
        ):
            exercises_of.setdefault(exercise.lesson_id, []).append(exercise)
        return cls(
            lessons=list(course.lessons.filter(is_active=True)),
            quiz_of={q.lesson_id: q for q in Quiz.objects.filter(course=course, is_active=True)},
            exercises_of=exercises_of,
            shapes={
                exercise.id: _shape(course, exercise)
                for exercises in exercises_of.values()
                for exercise in exercises
            },
        )


@dataclass
class _Rows:
    memberships: list = field(default_factory=list)
    progress: list = field(default_factory=list)
    attempts: list = field(default_factory=list)
    submissions: list = field(default_factory=list)


def seed_cohort(
    *,
    students: int,
    submissions_per_student: int,
    course: Course | None = None,
    seed: int = 0,
    instructor=None,
    name: str | None = None,
) -> Seeded:
    rng = random.Random(seed)
    course = course or course_ensure()
    now = timezone.now()
    plan = _CoursePlan.of(course)
    with transaction.atomic():
        cohort = Cohort.objects.create(
            course=course, name=name or f"Seeded cohort ({students} students)"
        )
        instructor = _instructor(cohort, instructor, now)
        users = _students(cohort, students, rng)
        rows = _Rows()
        for user in users:
            _seed_student(rng, rows, cohort, user, plan, submissions_per_student, now)
        Membership.objects.bulk_create(rows.memberships, batch_size=BATCH)
        LessonProgress.objects.bulk_create(rows.progress, batch_size=BATCH)
        QuizAttempt.objects.bulk_create(rows.attempts, batch_size=BATCH)
        Submission.objects.bulk_create(rows.submissions, batch_size=BATCH)
        # bulk_create sends no post_save: the cohort pages' standings are rebuilt at once.
        standings.rebuild(course_id=course.id)
    return Seeded(
        cohort,
        instructor,
        len(users),
        len(rows.progress),
        len(rows.attempts),
        len(rows.submissions),
    )


def _instructor(cohort: Cohort, instructor, now):
    if instructor is None:
        instructor = get_user_model().objects.create(
            username=f"teach-{cohort.uuid.hex[:6]}",
            first_name="Seeded instructor",
            password=make_password(None),
        )
    cohort.created_by = instructor
    cohort.save(update_fields=["created_by"])
    Membership.objects.create(
        cohort=cohort, user=instructor, role=Membership.Role.INSTRUCTOR, joined_at=now
    )
    return instructor


def _students(cohort: Cohort, count: int, rng: random.Random) -> list:
    User = get_user_model()
    tag = cohort.uuid.hex[:6]
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                username=f"s-{tag}-{index:05d}",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                email=f"s-{tag}-{index:05d}@example.org",
                password=unusable,
            )
            for index in range(count)
        ],
        batch_size=BATCH,
    )
    if not all(user.pk for user in users):  # backends that return no ids
        users = list(User.objects.filter(username__startswith=f"s-{tag}-").order_by("username"))
    return users


def _seed_student(rng, rows: _Rows, cohort, user, plan: _CoursePlan, budget: int, now) -> None:
    """One student's membership and, spread between their start and their last day, the
    lessons they read, the checkpoints they tried and the submissions they made."""
    start = now - timedelta(days=DAYS) + timedelta(hours=rng.uniform(0, 72))
    # A tenth stopped a couple of weeks ago: the "no progress" flag has someone.
    end = now - timedelta(days=rng.uniform(10, 20)) if rng.random() < 0.1 else now
    end = max(end, start + timedelta(hours=1))
    rows.memberships.append(
        Membership(cohort=cohort, user=user, role=Membership.Role.STUDENT, joined_at=start)
    )
    lessons = plan.lessons
    reach = min(len(lessons), int(rng.triangular(0, len(lessons) + 1, len(lessons) * 0.4)))
    events = _student_events(
        rng,
        lessons[: reach + 1],
        reach,
        plan.quiz_of,
        plan.exercises_of,
        budget,
        # About one in twelve stalls on an exercise: the "many failures" flag.
        stuck=rng.random() < 0.08,
    )
    span = (end - start).total_seconds()
    steps = max(1, len(events))
    attempt_numbers: dict[int, int] = {}
    for index, (kind, obj, extra) in enumerate(events):
        at = start + timedelta(seconds=span * (index + rng.random()) / steps)
        if kind == "progress":
            rows.progress.append(_progress_row(rng, user, obj, extra, at))
        elif kind == "quiz":
            rows.attempts.append(_attempt_row(rng, user, obj, extra, at, index))
        else:
            number = attempt_numbers.get(obj.id, 0) + 1
            attempt_numbers[obj.id] = number
            shape = plan.shapes[obj.id]
            rows.submissions.append(_submission_row(rng, user, obj, extra, shape, at, number))


def _progress_row(rng, user, lesson, state: str, at) -> LessonProgress:
    return LessonProgress(
        user=user,
        lesson=lesson,
        state=state,
        think_answer="A guess before reading." if rng.random() < 0.7 else "",
        think_answered_at=at - timedelta(minutes=rng.uniform(5, 40)),
        reading_position=1.0 if state == "passed" else round(rng.random(), 2),
        last_seen_at=at,
        passed_at=at if state == "passed" else None,
    )


def _attempt_row(rng, user, quiz, passed: bool, at, index: int) -> QuizAttempt:
    score = rng.choice([0.8, 0.9, 1.0]) if passed else rng.choice([0.2, 0.4, 0.6])
    return QuizAttempt(
        user=user,
        quiz=quiz,
        seed=f"seed-{user.pk}-{quiz.pk}-{index}",
        score=score,
        passed=passed,
        created_at=at,
    )


def _submission_row(rng, user, exercise, will_pass: bool, shape, at, number: int) -> Submission:
    if will_pass:
        verdict = "passed"
    else:
        verdict = rng.choices(["failed", "error", "timeout", "invalid"], weights=[80, 12, 4, 4])[0]
    score, result = _result(rng, shape, verdict)
    source = f"# seeded attempt {number}\ndef {exercise.entry}(*args):\n    ...\n"
    finished = at + timedelta(seconds=rng.uniform(0.3, 4))
    return Submission(
        student=user,
        exercise=exercise,
        source=source,
        source_sha256=source_digest(source),
        attempt=number,
        state=Submission.State.DONE,
        verdict=verdict,
        score=score,
        result=result,
        created_at=at,
        queued_at=at,
        started_at=at,
        heartbeat_at=finished,
        finished_at=finished,
        claims=1,
        worker="seed_cohort",
    )


def _student_events(rng, lessons, reach, quiz_of, exercises_of, budget, *, stuck=False):
    """The student's actions in order: the checkpoint attempts of each lesson reached,
    its progress row (stamped when the checkpoint passed), then its exercises."""
    events = []
    reached_exercises = []
    for position, lesson in enumerate(lessons):
        passed = position < reach
        quiz = quiz_of.get(lesson.id)
        if quiz is not None:
            tries = rng.choice([1, 1, 1, 2, 2, 3]) if passed else rng.choice([0, 0, 1])
            for n in range(tries):
                events.append(("quiz", quiz, passed and n == tries - 1))
        events.append(("progress", lesson, "passed" if passed else "reading"))
        reached_exercises.extend(exercises_of.get(lesson.id, []))
    if not reached_exercises or budget <= 0:
        return events
    # Spread the submissions over the exercises reached: a few attempts each, then a
    # pass, while the budget lasts. A stuck student fails the first one again and again.
    left = budget
    for number, exercise in enumerate(reached_exercises):
        if left <= 0:
            break
        if stuck and number == 0:
            tries, passes = min(left, rng.randint(6, 9)), False
        else:
            tries = min(left, rng.choice([1, 1, 2, 2, 3, 4, 6]))
            passes = rng.random() < 0.75
        for n in range(tries):
            events.append(("submission", exercise, passes and n == tries - 1))
        left -= tries
    while left > 0:
        # Budget beyond the path: more failed tries at the exercises not yet passed.
        pool = reached_exercises[1:] if stuck and len(reached_exercises) > 1 else reached_exercises
        exercise = rng.choice(pool)
        events.append(("submission", exercise, False))
        left -= 1
    # Keep reading order but interleave: a stable sort by the lesson each event belongs to.
    order = {lesson.id: i for i, lesson in enumerate(lessons)}

    def lesson_of(event):
        kind, obj, _ = event
        return order.get(obj.id if kind == "progress" else obj.lesson_id, len(order))

    return sorted(events, key=lesson_of)


FIRST_NAMES = [
    "Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John", "Katherine",
    "Leslie", "Margaret", "Niklaus", "Radia", "Shafi", "Tim", "Yoshua", "Fei-Fei", "Geoffrey",
    "Joy", "Andrew", "Daphne", "Yann", "Cynthia", "Judea", "Timnit", "Chen", "Amara", "Sipho",
    "Élodie", "Søren", "Zoë", "Ngozi", "Ravi", "Mei", "Olu", "Ines",
]  # fmt: skip
LAST_NAMES = [
    "Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "McCarthy",
    "Johnson", "Lamport", "Hamilton", "Wirth", "Perlman", "Goldwasser", "Berners-Lee",
    "Bengio", "Li", "Hinton", "Buolamwini", "Ng", "Koller", "LeCun", "Dwork", "Pearl",
    "Gebru", "Okafor", "Núñez", "Müller", "Østergaard", "Nakamura", "Adeyemi", "Patel",
]  # fmt: skip


def schedule_weekly(cohort: Cohort, *, extensions_every: int = 0) -> int:
    """Each lesson's reading, checkpoint and exercises due a week apart at 23:59 in the
    cohort's zone, the third lesson's due today (the first ones overdue, the rest ahead),
    late work losing 10% a day down to 50%. With ``extensions_every`` = n, every n-th
    student gets three more days on every other item. The number of entries."""
    tz = zone(cohort.time_zone)
    today = timezone.now().astimezone(tz).date()
    entries = []
    for index, lesson in enumerate(
        cohort.course.lessons.filter(is_active=True).order_by("position")
    ):
        day = today + timedelta(days=7 * (index - 2))
        due = local_to_utc(datetime.combine(day, time(23, 59)), tz)
        items = [("lesson", lesson.slug)]
        items += [("quiz", quiz.slug) for quiz in lesson.quizzes.filter(is_active=True)]
        items += [("exercise", e.slug) for e in lesson.exercises.filter(is_active=True)]
        for kind, slug in items:
            entry, _ = ScheduleEntry.objects.update_or_create(
                cohort=cohort, kind=kind, slug=slug,
                defaults={"due_at": due, "opens_at": due - timedelta(days=21),
                          "policy": ScheduleEntry.Policy.PENALTY, "penalty_percent": 10,
                          "floor_percent": 50},
            )  # fmt: skip
            entries.append(entry)
    if extensions_every:
        students = list(
            Membership.objects.filter(cohort=cohort, role=Membership.Role.STUDENT)
            .order_by("joined_at")
            .values_list("user_id", flat=True)
        )[::extensions_every]
        Extension.objects.bulk_create(
            [
                Extension(
                    entry=entry,
                    user_id=user_id,
                    due_at=entry.due_at + timedelta(days=3),
                    reason="seeded extension",
                )  # fmt: skip
                for entry in entries[::2]
                for user_id in students
            ],
            ignore_conflicts=True,
            batch_size=BATCH,
        )
    return len(entries)
