"""A cohort's items in study-path order: lessons, their checkpoints, their exercises;
and the students of a cohort, as a subquery."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from courses.models import Cohort, Exercise, Lesson, Membership, Quiz

KINDS = ("lesson", "quiz", "exercise")


@dataclass
class Item:
    kind: str  # "lesson" | "quiz" | "exercise"
    id: int
    slug: str
    title: str
    url: str | None = None
    points: float = 0.0
    done: int = 0  # students who completed it
    percent: int = 0

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.id)

    @property
    def kind_label(self) -> str:
        return {"lesson": "Lesson", "quiz": "Checkpoint", "exercise": "Exercise"}[self.kind]


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is no whole to share."""
    return part / whole if whole else None


def display_name(user) -> str:
    full = f"{user.first_name} {user.last_name}".strip()
    return full or user.get_username()


def student_ids(cohort: Cohort):
    """A subquery, not a list: the cohort's size never reaches the SQL text. Current
    students only: an archived one's work is kept but leaves the cohort's figures."""
    return Membership.objects.filter(
        cohort=cohort, role=Membership.Role.STUDENT, archived_at__isnull=True
    ).values("user_id")


def cohort_size(*, cohort: Cohort) -> int:
    return Membership.objects.filter(
        cohort=cohort, role=Membership.Role.STUDENT, archived_at__isnull=True
    ).count()


def cohort_students(*, cohort: Cohort) -> list[Membership]:
    """The cohort's current students: archived ones leave the dashboards and the
    gradebook (courses/roster.py), their work kept."""
    return list(
        Membership.objects.filter(
            cohort=cohort, role=Membership.Role.STUDENT, archived_at__isnull=True
        )
        .select_related("user")
        .order_by("user__username")
    )


def ids_of(items: list[Item], kind: str) -> list[int]:
    # The course's items by id (a course-sized list, never cohort-sized): the aggregates
    # then need no join to the content tables.
    return [item.id for item in items if item.kind == kind]


def cohort_items(*, cohort: Cohort) -> list[Item]:
    """Lessons, their checkpoints and their exercises, in study-path order. Three queries."""
    # Titles and slugs only: lesson bodies and statements are large and unused here.
    lessons = list(
        Lesson.objects.filter(course_id=cohort.course_id, is_active=True).only(
            "id", "slug", "title", "position"
        )
    )
    quizzes: dict[int, list[Quiz]] = {}
    for quiz in (
        Quiz.objects.filter(course_id=cohort.course_id, is_active=True)
        .only("id", "slug", "title", "lesson_id")
        .order_by("lesson__position", "slug")
    ):
        quizzes.setdefault(quiz.lesson_id, []).append(quiz)
    exercises: dict[int | None, list[Exercise]] = {}
    for exercise in (
        Exercise.objects.filter(course_id=cohort.course_id, is_active=True)
        .only("id", "slug", "title", "lesson_id", "points")
        .order_by("lesson__position", "position", "slug")
    ):
        exercises.setdefault(exercise.lesson_id, []).append(exercise)
    items = []
    for lesson in lessons:
        url = reverse("courses:lesson", args=[cohort.course.slug, lesson.slug])
        items.append(Item("lesson", lesson.id, lesson.slug, lesson.title, url=url))
        items.extend(_quiz_item(cohort, quiz) for quiz in quizzes.get(lesson.id, []))
        items.extend(_exercise_item(cohort, exercise) for exercise in exercises.get(lesson.id, []))
    # Exercises whose lesson is gone or unset still count, after the path.
    active = {lesson.id for lesson in lessons}
    for lesson_id, rest in exercises.items():
        if lesson_id not in active:
            items.extend(_exercise_item(cohort, exercise) for exercise in rest)
    return items


def _quiz_item(cohort: Cohort, quiz: Quiz) -> Item:
    url = reverse("teaching:quiz", kwargs={"cohort_uuid": cohort.uuid, "quiz_slug": quiz.slug})
    return Item("quiz", quiz.id, quiz.slug, quiz.title, url=url)


def _exercise_item(cohort: Cohort, exercise: Exercise) -> Item:
    url = reverse(
        "teaching:exercise", kwargs={"cohort_uuid": cohort.uuid, "exercise_slug": exercise.slug}
    )
    return Item(
        "exercise", exercise.id, exercise.slug, exercise.title, url=url, points=exercise.points
    )
