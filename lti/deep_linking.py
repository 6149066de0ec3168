"""Deep linking: from the LMS's "add external tool" dialog, an instructor picks lessons,
checkpoints and exercises (or a whole module: a lesson with its checkpoint and
exercises), and Descent answers with one resource link per item, signed with the tool's
key: its page as the URL, its title, a line item with its maximum score for what is
graded (an exercise's points; a checkpoint out of 100), and its due date when the
cohort's schedule has one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from courses.models import Cohort, Exercise, Lesson, Quiz, ScheduleEntry

TAG = "descent"
QUIZ_MAXIMUM = 100.0


@dataclass(frozen=True)
class Item:
    key: str  # "lesson:<slug>", "quiz:<slug>", "exercise:<slug>"
    title: str
    path: str
    maximum: float | None  # None: not graded (a reading)
    due_at: datetime | None


@dataclass
class Module:
    lesson: Lesson
    items: list[Item]

    @property
    def key(self) -> str:
        return f"module:{self.lesson.slug}"


def checkpoint_title(title: str) -> str:
    return title if title.lower().startswith("checkpoint") else f"Checkpoint: {title}"


def modules(cohort: Cohort) -> list[Module]:
    """The cohort's course as the picker shows it: each lesson with its items."""
    course = cohort.course
    due = {
        (kind, slug): due_at
        for kind, slug, due_at in ScheduleEntry.objects.filter(cohort=cohort).values_list(
            "kind", "slug", "due_at"
        )
    }
    lessons = list(course.lessons.filter(is_active=True).order_by("position"))
    quizzes = {q.lesson_id: q for q in Quiz.objects.filter(lesson__in=lessons, is_active=True)}
    exercises: dict[int, list[Exercise]] = {}
    for exercise in Exercise.objects.filter(
        course=course, is_active=True, lesson__in=lessons
    ).order_by("position", "slug"):
        exercises.setdefault(exercise.lesson_id, []).append(exercise)
    result = []
    for lesson in lessons:
        page = reverse("courses:lesson", args=[course.slug, lesson.slug])
        items = [
            Item(
                f"lesson:{lesson.slug}", lesson.title, page, None, due.get(("lesson", lesson.slug))
            )
        ]
        quiz = quizzes.get(lesson.id)
        if quiz is not None:
            items.append(
                Item(f"quiz:{quiz.slug}", checkpoint_title(quiz.title), page + "#checkpoint",
                     QUIZ_MAXIMUM, due.get(("quiz", quiz.slug)))
            )  # fmt: skip
        for exercise in exercises.get(lesson.id, []):
            items.append(
                Item(f"exercise:{exercise.slug}", exercise.title,
                     reverse("grading:exercise", args=[course.slug, exercise.slug]),
                     float(exercise.points), due.get(("exercise", exercise.slug)))
            )  # fmt: skip
        result.append(Module(lesson, items))
    return result


def chosen(cohort: Cohort, keys: list[str]) -> list[Item]:
    """The items the keys name, in the course's order; a module stands for all of its
    items. Unknown keys are ignored."""
    wanted = set(keys)
    picked = []
    for module in modules(cohort):
        whole = module.key in wanted
        picked += [item for item in module.items if whole or item.key in wanted]
    return picked


class _Resource(DeepLinkResource):
    """A resource link with the submission window the LMS shows as its due date (the
    content item's "submission.endDateTime", which pylti1p3 does not write)."""

    def __init__(self, due_at: datetime | None):
        super().__init__()
        self._due_at = due_at

    def to_dict(self):
        data = super().to_dict()
        if self._due_at is not None:
            data["submission"] = {"endDateTime": self._due_at.isoformat()}
        return data


def resources(items: list[Item], absolute) -> list[DeepLinkResource]:
    """pylti1p3's content items for ``items``; ``absolute`` makes a path a full URL."""
    out = []
    for item in items:
        resource = _Resource(item.due_at).set_url(absolute(item.path)).set_title(item.title)
        if item.maximum is not None:
            line = (
                LineItem()
                .set_score_maximum(item.maximum)
                .set_label(item.title)
                .set_resource_id(item.key)
                .set_tag(TAG)
            )
            if item.due_at is not None:
                line.set_end_date_time(item.due_at.isoformat())
            resource.set_lineitem(line)
        out.append(resource)
    return out
