"""Reads that views share. Anything personal is scoped to the user asking."""

import re
import uuid as uuid_module
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from judge.verdicts import Verdict

from .models import (
    Cohort,
    Course,
    Exercise,
    GlossaryTerm,
    Lesson,
    LessonProgress,
    Membership,
    Quiz,
    QuizAttempt,
)

TERM_LINK = re.compile(r'data-term="([a-z0-9-]+)"')


def course_get(*, slug: str, user) -> Course:
    """The course at this slug; a draft's preview is a 404 to all but its authors."""
    course = get_object_or_404(Course, slug=slug)
    if not course.may_view(user):
        raise Http404("No such course.")
    return course


def lesson_get(*, course: Course, slug: str) -> Lesson:
    return get_object_or_404(Lesson, course=course, slug=slug, is_active=True)


def exercise_url(*, course: Course, exercise: Exercise) -> str:
    return reverse(
        "grading:exercise", kwargs={"course_slug": course.slug, "exercise_slug": exercise.slug}
    )


def best_scores(*, user, exercises) -> dict[int, dict]:
    """Per exercise id: the student's best score (None before any graded attempt), the
    number of attempts, and whether one passed. One query, whatever the count. Read
    through the exercises' reverse relation to the grading app's submissions, so this
    app imports nothing of grading (a submission has a score once it is graded)."""
    mine = Q(submissions__student=user)
    rows = (
        Exercise.objects.filter(id__in=[e.id for e in exercises], submissions__student=user)
        .values("id")
        .annotate(
            best=Max("submissions__score", filter=mine),
            attempts=Count("submissions", filter=mine),
            passes=Count("submissions", filter=mine & Q(submissions__verdict=Verdict.PASSED)),
        )
        .order_by()
    )
    return {
        row["id"]: {
            "best": row["best"],
            "attempts": row["attempts"],
            "passed": row["passes"] > 0,
        }
        for row in rows
    }


@dataclass
class PathLesson:
    lesson: Lesson
    state: str
    state_label: str
    exercises: list = field(default_factory=list)  # (exercise, url, score dict or None)


@dataclass
class StudyPath:
    lessons: list[PathLesson]
    passed: int
    total: int
    resume: Lesson | None  # "continue where you left off"

    @property
    def percent(self) -> int:
        return round(100 * self.passed / self.total) if self.total else 0


def course_path(*, course: Course, user) -> StudyPath:
    """The study path with the user's state per lesson and best score per exercise, in a
    fixed number of queries whatever the size of the course."""
    lessons = list(course.lessons.filter(is_active=True))
    exercises = list(
        Exercise.objects.filter(course=course, is_active=True, lesson__isnull=False).order_by(
            "lesson__position", "position", "slug"
        )
    )
    progress: dict[int, LessonProgress] = {}
    scores: dict[int, dict] = {}
    if user.is_authenticated:
        progress = {
            p.lesson_id: p for p in LessonProgress.objects.filter(user=user, lesson__in=lessons)
        }
        scores = best_scores(user=user, exercises=exercises)
    by_lesson: dict[int, list] = {}
    for exercise in exercises:
        by_lesson.setdefault(exercise.lesson_id, []).append(
            (exercise, exercise_url(course=course, exercise=exercise), scores.get(exercise.id))
        )
    rows = []
    for lesson in lessons:
        mine = progress.get(lesson.id)
        state = mine.state if mine else LessonProgress.State.NOT_STARTED
        rows.append(
            PathLesson(
                lesson=lesson,
                state=state,
                state_label=LessonProgress.State(state).label,
                exercises=by_lesson.get(lesson.id, []),
            )
        )
    return StudyPath(
        lessons=rows,
        passed=sum(1 for row in rows if row.state == LessonProgress.State.PASSED),
        total=len(rows),
        resume=_resume(lessons, progress) if user.is_authenticated else None,
    )


def _resume(lessons: list[Lesson], progress: dict[int, LessonProgress]) -> Lesson | None:
    unfinished = [p for p in progress.values() if p.state == LessonProgress.State.READING]
    if unfinished:
        latest = max(unfinished, key=lambda p: p.last_seen_at)
        return next(lesson for lesson in lessons if lesson.id == latest.lesson_id)
    for lesson in lessons:
        mine = progress.get(lesson.id)
        if mine is None or mine.state == LessonProgress.State.NOT_STARTED:
            return lesson
    return None


def lesson_quiz(*, lesson: Lesson) -> Quiz | None:
    return lesson.quizzes.filter(is_active=True).first()


def lesson_exercises(*, lesson: Lesson, user) -> list[tuple]:
    exercises = list(lesson.exercises.filter(is_active=True))
    scores = best_scores(user=user, exercises=exercises) if user.is_authenticated else {}
    return [
        (exercise, exercise_url(course=lesson.course, exercise=exercise), scores.get(exercise.id))
        for exercise in exercises
    ]


def lesson_glossary_terms(*, lesson: Lesson) -> list[GlossaryTerm]:
    """The cards for the terms the lesson links to, for its pop-overs."""
    slugs = set(TERM_LINK.findall(lesson.body_html))
    if not slugs:
        return []
    return list(GlossaryTerm.objects.filter(course_id=lesson.course_id, slug__in=slugs))


def quiz_attempt_get(*, user, quiz: Quiz, uuid) -> QuizAttempt:
    """Only the student's own attempts: anyone else's uuid, or no uuid at all, is a 404."""
    try:
        parsed = uuid_module.UUID(str(uuid))
    except ValueError:
        raise Http404("no such attempt") from None
    return get_object_or_404(QuizAttempt, uuid=parsed, quiz=quiz, user=user)


def cohorts_of(*, user) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user).select_related("cohort__course").order_by("-joined_at")
    )


def cohort_for_manager(*, user, uuid) -> Cohort:
    """404 for a cohort that does not exist, 403 for one the user may not manage."""
    cohort = get_object_or_404(Cohort.objects.select_related("course"), uuid=uuid)
    if not cohort.can_manage(user):
        raise PermissionDenied("Only this cohort's instructors can manage it.")
    return cohort


def cohort_members(*, cohort: Cohort) -> list[Membership]:
    return list(cohort.memberships.select_related("user").order_by("role", "joined_at"))


def cohort_by_code(*, code: str) -> Cohort | None:
    return Cohort.objects.select_related("course").filter(join_code=code.strip().upper()).first()
