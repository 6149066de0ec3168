"""Phase 3 of a sync: self-check what changed, then write the course to the database.

``course_sync`` loads and validates (`loading`), renders (`rendering`), self-checks every
exercise whose files changed since the last import, and imports only when there are no
problems at all, in one transaction, matching rows by slug: a second run changes
nothing, and rows that student progress can point at (lessons, quizzes, questions,
exercises) are marked inactive, never deleted.

The self-check is handed in (an `judge.selfcheck.ExerciseSelfCheck`), not looked up: the
command line gives one that starts its own sandbox, a grading worker its own, and a caller
that gives none imports without grading anything.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from judge.files import Problem
from judge.selfcheck import ExerciseSelfCheck
from sandbox import SandboxUnavailable

from ..models import Course, Exercise, GlossaryTerm, Lesson, Question, Quiz
from ..signals import announce, course_synced
from .loading import CourseInvalid, CourseSource, load_course_dir
from .rendering import Rendered, render_course

COUNTED = ("course", "lessons", "glossary", "quizzes", "questions", "exercises")


@dataclass
class SyncReport:
    course: Course
    created: bool
    lessons: int
    counts: dict[str, Counter] = field(default_factory=dict)
    selfchecked: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # exercise slug -> fingerprint of its folder as imported
    fingerprints: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(
            count[what]
            for count in self.counts.values()
            for what in ("created", "updated", "deactivated", "deleted")
        )

    def summary(self) -> str:
        parts = []
        for kind, count in self.counts.items():
            shown = ", ".join(f"{n} {what}" for what, n in count.items() if n)
            parts.append(f"{kind}: {shown or 'none'}")
        return "; ".join(parts)


def course_sync(
    *,
    path: Path,
    selfcheck: ExerciseSelfCheck | None = None,
    slug: str | None = None,
    trusted: frozenset[str] = frozenset(),
    preview: bool = False,
) -> SyncReport:
    """Validate, render, self-check and import the course at ``path``; CourseInvalid lists
    every problem, and then nothing was written.

    The authoring app imports a draft under another ``slug`` (a preview, ``preview``
    true), and trusts the exercise fingerprints in ``trusted`` as already self-checked
    (a version that passed its self-check when it was synced is published without
    grading it again)."""
    source, problems = load_course_dir(Path(path))
    if source is None:
        raise CourseInvalid(problems)
    source.imported_as = slug
    rendered, link_problems = render_course(source)
    problems.extend(link_problems)
    if problems:
        raise CourseInvalid(problems)
    checked, graded, warnings, check_problems = _selfcheck_changed(source, selfcheck, trusted)
    if check_problems:
        raise CourseInvalid(check_problems)
    with transaction.atomic():
        report = _write(source, rendered, checked, preview=preview)
    report.selfchecked = sorted(graded)
    report.warnings = warnings
    report.fingerprints = {s: e.fingerprint for s, e in source.exercises.items()}
    return report


def _selfcheck_changed(
    source: CourseSource, selfcheck: ExerciseSelfCheck | None, trusted
) -> tuple[set[str], set[str], list[str], list[Problem]]:
    """Self-check the exercises whose files changed since their last passing self-check:
    (the slugs whose files are now known good, the slugs graded here, warnings,
    problems). Fingerprints in ``trusted`` count as known good without grading."""
    exercises = source.exercises
    known = {slug for slug, exercise in exercises.items() if exercise.fingerprint in trusted}
    if selfcheck is None:
        return known, set(), [], []
    existing = Course.objects.filter(slug=source.slug).first()
    verified = dict(existing.exercises.values_list("slug", "content_hash")) if existing else {}
    changed = [
        exercise
        for slug, exercise in exercises.items()
        if slug not in known and verified.get(slug) != exercise.fingerprint
    ]
    problems: list[Problem] = []
    try:
        for exercise in changed:
            problems.extend(selfcheck(exercise.directory, source.root))
    except SandboxUnavailable as exc:
        # Where grading cannot run (an unprivileged deploy step), the course still
        # imports; its exercises keep no verified hash, so the first sync with a working
        # sandbox checks them, and the admin shows them unchecked meanwhile.
        warning = (
            f"the sandbox is unavailable ({exc}): "
            f"{len(changed)} changed exercise(s) imported without their self-check"
        )
        return known, set(), [warning], []
    graded = {exercise.meta.slug for exercise in changed}
    return known | graded, graded, [], problems


def _upsert(model, counts: Counter, lookup: dict, values: dict):
    """Create or update one row, saving only the fields whose values changed."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        counts["created"] += 1
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        row.save(update_fields=changed)
        counts["updated"] += 1
    else:
        counts["unchanged"] += 1
    return row


def _deactivate(queryset, counts: Counter) -> None:
    deactivated = queryset.filter(is_active=True).update(is_active=False)
    if deactivated:
        counts["deactivated"] += deactivated


def _write(
    source: CourseSource, rendered: Rendered, checked: set[str], *, preview: bool
) -> SyncReport:
    counts = {kind: Counter() for kind in COUNTED}
    manifest = source.manifest
    course = _upsert(
        Course,
        counts["course"],
        {"slug": source.slug},
        {
            "is_preview": preview,
            "title": manifest.title,
            "description": manifest.description.strip(),
            "prerequisites": list(manifest.prerequisites),
            "source_path": str(source.root.resolve()),
            "content_hash": source.content_hash,
        },
    )
    lessons = _sync_lessons(course, source, rendered, counts["lessons"])
    _sync_glossary(course, source, counts["glossary"])
    _sync_quizzes(course, source, rendered, lessons, counts)
    _sync_exercises(course, source, rendered, lessons, checked, counts["exercises"])
    report = SyncReport(
        course=course,
        created=counts["course"]["created"] == 1,
        lessons=len(source.lessons),
        counts=counts,
    )
    if report.changed:
        course.synced_at = timezone.now()
        course.save(update_fields=["synced_at"])
        announce(course_synced, course_id=course.pk)
    return report


def _sync_lessons(course, source: CourseSource, rendered: Rendered, counts) -> dict:
    lessons = {}
    for position, lesson in enumerate(source.lessons, start=1):
        front = lesson.front
        lessons[lesson.slug] = _upsert(
            Lesson,
            counts,
            {"course": course, "slug": lesson.slug},
            {
                "title": front.title,
                "summary": front.summary,
                "position": position,
                "minutes": front.minutes,
                "think_prompt": front.think,
                "widget": front.widget,
                "body_markdown": lesson.body,
                "body_html": rendered.lessons[lesson.slug],
                "source_file": lesson.file,
                "is_active": True,
            },
        )
    _deactivate(course.lessons.exclude(slug__in=lessons), counts)
    return lessons


def _sync_glossary(course, source: CourseSource, counts) -> None:
    for entry in source.glossary:
        _upsert(
            GlossaryTerm,
            counts,
            {"course": course, "slug": entry.slug},
            entry.card(),
        )
    # Nothing points at a glossary card, so a removed term can go.
    kept = [entry.slug for entry in source.glossary]
    deleted, _ = course.glossary.exclude(slug__in=kept).delete()
    if deleted:
        counts["deleted"] += deleted


def _sync_quizzes(course, source: CourseSource, rendered: Rendered, lessons, counts) -> None:
    owner = {lesson.front.quiz: lesson.slug for lesson in source.lessons if lesson.front.quiz}
    for slug, quiz_file in source.quizzes.items():
        quiz_source = quiz_file.quiz
        quiz = _upsert(
            Quiz,
            counts["quizzes"],
            {"course": course, "slug": slug},
            {
                "lesson_id": lessons[owner[slug]].id,
                "title": quiz_source.title,
                "pass_threshold": quiz_source.pass_threshold,
                "source_file": quiz_file.file,
                "is_active": True,
            },
        )
        for position, question in enumerate(quiz_source.questions, start=1):
            _upsert(
                Question,
                counts["questions"],
                {"quiz": quiz, "slug": question.id},
                {
                    "position": position,
                    "kind": question.kind,
                    "prompt_markdown": question.prompt,
                    "prompt_html": rendered.prompts[(slug, question.id)],
                    "explanation_markdown": question.explanation,
                    "spec": rendered.specs[(slug, question.id)],
                    "is_active": True,
                },
            )
        _deactivate(
            quiz.questions.exclude(slug__in=[q.id for q in quiz_source.questions]),
            counts["questions"],
        )
    removed = course.quizzes.exclude(slug__in=list(source.quizzes))
    _deactivate(Question.objects.filter(quiz__in=removed), counts["questions"])
    _deactivate(removed, counts["quizzes"])


def _sync_exercises(course, source, rendered: Rendered, lessons, checked, counts) -> None:
    listed = {}
    for lesson in source.lessons:
        for position, slug in enumerate(lesson.front.exercises, start=1):
            listed[slug] = (lesson.slug, position)
    for slug, exercise in source.exercises.items():
        meta = exercise.meta
        lesson_slug, position = listed.get(slug, (meta.lesson, 0))
        lesson = lessons.get(lesson_slug or meta.lesson)
        values = {
            "lesson_id": lesson.id if lesson else None,
            "title": meta.title,
            "position": position,
            "entry": meta.entry,
            "kind": meta.kind,
            "signature": meta.signature,
            "statement_markdown": exercise.statement,
            "statement_html": rendered.statements[slug],
            "starter_code": exercise.starter,
            "points": meta.points,
            "time_limit_s": meta.time_s,
            "memory_limit_mb": meta.memory_mb,
            "hints": list(meta.hints),
            "known_mistakes": [{"slug": m.slug, "title": m.title} for m in meta.mistakes],
            "source_dir": exercise.folder,
            "is_active": True,
        }
        # The stored hash says "these files passed the self-check": it moves only when
        # they did, so a sync without a self-check leaves changed files to be checked.
        if slug in checked:
            values["content_hash"] = exercise.fingerprint
        _upsert(Exercise, counts, {"course": course, "slug": slug}, values)
    _deactivate(course.exercises.exclude(slug__in=list(source.exercises)), counts)
