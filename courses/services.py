"""Workflows of the student side: cohorts, lesson progress and checkpoint attempts."""

import operator
from dataclasses import asdict
from functools import reduce

from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from . import schedule
from .models import (
    Cohort,
    Extension,
    Lesson,
    LessonProgress,
    Membership,
    Quiz,
    QuizAttempt,
    ScheduleEntry,
    new_join_code,
    new_quiz_seed,
)
from .signals import announce, lesson_seen, quiz_score_changed, scores_recounted


class StaleQuizForm(Exception):
    """The form was drawn for an attempt that has since been submitted."""


def may_create_cohorts(user) -> bool:
    """Teaching is granted, not self-declared: staff, and users given the
    courses.add_cohort permission (`manage.py grant_instructor USERNAME`). Anyone else
    could otherwise make a cohort of one and read the instructor pages' analytics."""
    return user.is_authenticated and (user.is_staff or user.has_perm("courses.add_cohort"))


def instructor_grant(*, user) -> None:
    user.user_permissions.add(
        Permission.objects.get(codename="add_cohort", content_type__app_label="courses")
    )


def cohort_create(*, course, name: str, created_by) -> Cohort:
    with transaction.atomic():
        cohort = Cohort.objects.create(course=course, name=name, created_by=created_by)
        Membership.objects.create(cohort=cohort, user=created_by, role=Membership.Role.INSTRUCTOR)
    return cohort


def cohort_join(*, cohort: Cohort, user) -> tuple[Membership, bool]:
    """Join as a student; (membership, created). Joining twice keeps the first role, so
    an instructor following their own link is not demoted."""
    membership, created = Membership.objects.get_or_create(
        cohort=cohort, user=user, defaults={"role": Membership.Role.STUDENT}
    )
    return membership, created


def cohort_regenerate_code(*, cohort: Cohort) -> Cohort:
    """A leaked code stops working at once; members who joined stay."""
    cohort.join_code = new_join_code()
    cohort.save(update_fields=["join_code"])
    return cohort


def _progress(user, lesson: Lesson, *, lock: bool = False) -> LessonProgress:
    progress, _ = LessonProgress.objects.get_or_create(user=user, lesson=lesson)
    if lock:
        progress = LessonProgress.objects.select_for_update().get(pk=progress.pk)
    return progress


def lesson_progress_visit(*, user, lesson: Lesson) -> LessonProgress:
    """Record that the student opened the lesson (for "continue where you left off")."""
    progress = _progress(user, lesson)
    now = timezone.now()
    updates = {"last_seen_at": now}
    if progress.state == LessonProgress.State.NOT_STARTED:
        updates["state"] = LessonProgress.State.READING
    LessonProgress.objects.filter(pk=progress.pk).update(**updates)
    lesson_seen.send(sender=None, user_id=user.id, course_id=lesson.course_id, at=now)
    for field, value in updates.items():
        setattr(progress, field, value)
    return progress


def lesson_think_answer(*, user, lesson: Lesson, answer: str) -> LessonProgress:
    progress = _progress(user, lesson)
    progress.think_answer = answer.strip()
    progress.think_answered_at = timezone.now()
    progress.think_skipped = False
    progress.last_seen_at = timezone.now()
    progress.save(
        update_fields=["think_answer", "think_answered_at", "think_skipped", "last_seen_at"]
    )
    return progress


def lesson_think_skip(*, user, lesson: Lesson) -> LessonProgress:
    progress = _progress(user, lesson)
    if progress.think_answered_at is None:
        progress.think_skipped = True
        progress.save(update_fields=["think_skipped"])
    return progress


def lesson_reading_save(*, user, lesson: Lesson, position: float) -> LessonProgress:
    position = min(1.0, max(0.0, float(position)))
    progress = _progress(user, lesson)
    now = timezone.now()
    LessonProgress.objects.filter(pk=progress.pk).update(
        reading_position=position, last_seen_at=now
    )
    lesson_seen.send(sender=None, user_id=user.id, course_id=lesson.course_id, at=now)
    progress.reading_position = position
    return progress


class AttemptRefused(Exception):
    """The schedule refuses a new attempt now (not open yet, or closed)."""


def quiz_attempt_submit(*, user, quiz: Quiz, answers: dict, token: str) -> QuizAttempt:
    """Grade an attempt against the seed its form was drawn from, store it, draw a new
    seed for the next attempt, and mark the lesson passed when the quiz is."""
    now = timezone.now()
    deadline = schedule.item_deadline(user=user, course=quiz.course, kind="quiz", slug=quiz.slug)
    if deadline is not None and deadline.refusal(now):
        raise AttemptRefused(deadline.refusal(now))
    with transaction.atomic():
        # Locked so two tabs submitting at once cannot both use the same seed.
        progress = _progress(user, quiz.lesson, lock=True)
        if token != progress.quiz_token:
            raise StaleQuizForm
        seed = progress.quiz_seed
        result = quiz.grade(answers, seed)
        late = deadline is not None and deadline.state(now) == "late"
        try:
            with transaction.atomic():
                attempt = QuizAttempt.objects.create(
                    user=user,
                    quiz=quiz,
                    seed=seed,
                    answers=answers,
                    score=result.score,
                    passed=result.passed,
                    results={
                        slug: {"correct": correct, **asdict(feedback)}
                        for slug, (correct, feedback) in result.results.items()
                    },
                    created_at=now,
                    late_by_s=int((now - deadline.due_at).total_seconds()) if late else 0,
                    score_factor=deadline.factor(now) if deadline is not None else 1.0,
                )
        except IntegrityError as exc:
            raise StaleQuizForm from exc
        progress.quiz_seed = new_quiz_seed()
        progress.last_seen_at = now
        fields = ["quiz_seed", "last_seen_at"]
        if result.passed and not progress.is_passed:
            progress.state = LessonProgress.State.PASSED
            progress.passed_at = now
            fields += ["state", "passed_at"]
        progress.save(update_fields=fields)
        announce(quiz_score_changed, student_id=user.id, quiz_id=quiz.id)
    return attempt


# The schedule (the rules are in courses/schedule.py) ------------------------------------


def _split(keys: list[str]) -> list[tuple[str, str]]:
    return [tuple(key.split(":", 1)) for key in keys]


def cohort_score_policy_set(*, cohort, policy: str) -> bool:
    """Which attempt counts in ``cohort`` (Cohort.ScorePolicy); whether it changed. Nothing
    per student is stored: every page works a score out under the policy when it shows
    it. Scores kept elsewhere (an LMS's gradebook) are told (signals.scores_recounted)."""
    policy = Cohort.ScorePolicy(policy)
    changed = (
        Cohort.objects.filter(pk=cohort.pk).exclude(score_policy=policy).update(score_policy=policy)
    )
    cohort.score_policy = policy
    if changed:
        announce(scores_recounted, cohort_id=cohort.pk)
    return changed == 1


def cohort_time_zone_set(*, cohort, time_zone: str) -> None:
    """Stored dates are instants: a new zone changes how they read, not when they are."""
    cohort.time_zone = time_zone
    cohort.save(update_fields=["time_zone"])


def schedule_entries_set(*, cohort, keys: list[str], values: dict) -> None:
    """One set of values for every item named by its key ("kind:slug"), in one query."""
    entries = [
        ScheduleEntry(cohort=cohort, kind=kind, slug=slug, **values) for kind, slug in _split(keys)
    ]
    ScheduleEntry.objects.bulk_create(
        entries,
        update_conflicts=True,
        unique_fields=["cohort", "kind", "slug"],
        update_fields=list(values),
    )


def schedule_entries_clear(*, cohort, keys: list[str]) -> tuple[int, int]:
    """Remove the items' schedule and, with it, their extensions: (entries, extensions)."""
    named = reduce(operator.or_, (Q(kind=kind, slug=slug) for kind, slug in _split(keys)))
    _, deleted = ScheduleEntry.objects.filter(named, cohort=cohort).delete()
    return deleted.get(ScheduleEntry._meta.label, 0), deleted.get(Extension._meta.label, 0)


def extension_grant(*, entry, user, due_at, reason: str, granted_by) -> Extension:
    """A student's (or, with no user, the whole cohort's) new due date; granting again
    replaces the earlier one."""
    extension, _ = Extension.objects.update_or_create(
        entry=entry,
        user=user,
        defaults={
            "due_at": due_at,
            "reason": reason,
            "granted_by": granted_by,
            "created_at": timezone.now(),
        },
    )
    return extension


def extension_revoke(*, cohort, extension_id) -> Extension | None:
    extension = (
        Extension.objects.filter(pk=extension_id, entry__cohort=cohort)
        .select_related("entry", "user")
        .first()
    )
    if extension is not None:
        extension.delete()
    return extension
