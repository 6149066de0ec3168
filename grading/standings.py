"""Standings: per (student, item) and per (student, course) sums that the cohort pages
read, so that a page costs the same at 5,000 students as at 50 (models: ExerciseStanding,
QuizStanding, CourseStanding, ExerciseTally, QuizTally).

Each row is recomputed from the rows it sums: a recompute that runs twice, or late, or
after a crash, still leaves the truth. The one exception is the hot path of a deadline
rush, which adds instead of re-reading: a submission made adds one attempt to its
exercise standing (an upsert), and a submission graded adds its result's counts to the
pair's tallies (a tally is a sum over graded results, and the change running -> done
happens once, guarded by its claim, in the transaction that adds them) instead of
re-reading every graded result of the pair, and moves its course standing by steps of
one. Who calls what:

- a submission made calls ``submission_made`` (one attempt more; the course's latest
  activity) and ``activity_counted`` (its cohorts' hour); a submission graded (running
  -> done) calls ``submission_graded`` (its counts and its tallies added; the course's
  done and stuck moved by what the exercise's flags did); either recomputes the course
  standing where a step cannot say (no course row yet, a row gone);
- every other state change the grading services make with an UPDATE (blocked,
  unblocked, refined, regraded), and a submission saved whole, call
  ``exercise_changed`` in the same transaction: everything recomputed;
- a checkpoint attempt saved calls ``quiz_changed``; a lesson's progress saved (or
  updated: courses.signals.progress_changed) calls ``course_changed``;
- ``rebuild`` (``manage.py rebuild_standings``) recomputes everything for a course or
  for all, in set-based queries: after a bulk import, after a course's path changed
  (items made active or inactive change what "done" counts), or to check the rows.

The tallies hold what the per-exercise and per-checkpoint pages count per student (a
check's runs and failures, the known mistakes and diagnoses seen, a question's answers
and the wrong choices picked); the pages sum them in SQL over the cohort's students.
Every label read from a stored result is checked for type and cut to
TALLY_LABEL_CHARS: results come from student code's runs.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q
from django.db.models.functions import TruncHour

from courses.models import Exercise, LessonProgress, Membership, Question, Quiz, QuizAttempt

from .models import (
    FAILED_ATTEMPTS_STRUGGLING,
    TALLY_LABEL_CHARS,
    CohortActivity,
    CourseStanding,
    ExerciseStanding,
    ExerciseTally,
    QuizStanding,
    QuizTally,
    Submission,
    failed_attempt,
)

log = logging.getLogger("descent.grading")

# Tally kinds.
CHECK, MISTAKE, DIAGNOSIS = "check", "mistake", "diagnosis"
ASKED, UNANSWERED, BEST, PICKED = "asked", "unanswered", "best", "picked"
DIAGNOSIS_LABEL_CHARS = 80


def _label(value) -> str | None:
    return value[:TALLY_LABEL_CHARS] if isinstance(value, str) and value else None


def diagnosis_label(diagnosis) -> str | None:
    """The label of an automatic diagnosis that is not a known mistake (the judge's own
    words, cut in case a stored result says otherwise)."""
    if not isinstance(diagnosis, dict) or diagnosis.get("kind") == "known_mistake":
        return None
    label = diagnosis.get("label")
    return label[:DIAGNOSIS_LABEL_CHARS] if isinstance(label, str) and label else None


def exercise_tallies(results: Iterable) -> list[tuple[str, str, int, int]]:
    """(kind, label, runs, hits) from one student's graded submissions' check rows: per
    check, the submissions it ran in and failed in; per known mistake and per diagnosis
    of a failed check, the submissions it was seen in (runs = hits)."""
    runs: Counter = Counter()
    fails: Counter = Counter()
    seen: Counter = Counter()
    for checks in results:
        mistakes, diagnoses = set(), set()
        for check in checks if isinstance(checks, list) else []:
            if not isinstance(check, dict):
                continue
            name = _label(check.get("name"))
            if name is None:
                continue
            runs[name] += 1
            if not check.get("passed"):
                fails[name] += 1
                label = diagnosis_label(check.get("diagnosis"))
                if label:
                    diagnoses.add(label)
            mistake = _label(check.get("mistake"))
            if mistake:
                mistakes.add(mistake)
        seen.update((MISTAKE, slug) for slug in mistakes)
        seen.update((DIAGNOSIS, label) for label in diagnoses)
    rows = [(CHECK, name, runs[name], fails[name]) for name in runs]
    rows += [(kind, label, count, count) for (kind, label), count in seen.items()]
    return rows


def choice_indices(answer, count: int) -> list[int]:
    """The choice indices an answer names, as the checkpoint form stores them: a string
    index for a single choice, a list of them for multiple select (see Quiz.grade)."""
    raw = answer if isinstance(answer, list | tuple) else [answer]
    picked = []
    for value in raw:
        if isinstance(value, bool):
            continue
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, int) and 0 <= value < count and value not in picked:
            picked.append(value)
    return picked


def picked_label(slug: str, index: int) -> str:
    return f"{slug}#{index}"


def _wrong_picks(question: Question, answer) -> list[int]:
    choices = question.spec.get("choices") or []
    return [i for i in choice_indices(answer, len(choices)) if not choices[i].get("correct")]


def quiz_tallies(attempts: Iterable, questions: dict) -> list[tuple[str, str, int, int]]:
    """(kind, label, runs, hits) from one student's attempts in order, each (score,
    answers, results): per question, answers and right answers (ASKED), times left
    unanswered, the best attempt's answer (BEST: highest score, earliest on a tie), and
    per wrong choice of a choice question, the times it was picked in a wrong answer.
    ``questions``: the choice questions by slug."""
    asked: Counter = Counter()
    right: Counter = Counter()
    unanswered: Counter = Counter()
    picked: Counter = Counter()
    best: tuple[float, dict] | None = None
    for score, answers, results in attempts:
        answers = answers if isinstance(answers, dict) else {}
        results = results if isinstance(results, dict) else {}
        if best is None or (score or 0) > best[0]:
            best = (score or 0, results)
        for slug, outcome in results.items():
            slug = _label(slug)
            if slug is None:
                continue
            correct = bool(isinstance(outcome, dict) and outcome.get("correct"))
            asked[slug] += 1
            right[slug] += correct
            if slug not in answers:
                unanswered[slug] += 1
            elif not correct and slug in questions:
                for index in _wrong_picks(questions[slug], answers[slug]):
                    picked[picked_label(slug, index)] += 1
    rows = [(ASKED, slug, asked[slug], right[slug]) for slug in asked]
    rows += [(UNANSWERED, slug, n, n) for slug, n in unanswered.items()]
    rows += [(PICKED, label, n, n) for label, n in picked.items()]
    for slug, outcome in (best[1] if best else {}).items():
        if _label(slug):
            correct = bool(isinstance(outcome, dict) and outcome.get("correct"))
            rows.append((BEST, _label(slug), 1, int(correct)))
    return rows


def choice_questions(quiz_id: int) -> dict[str, Question]:
    return {
        q.slug: q
        for q in Question.objects.filter(
            quiz_id=quiz_id, kind__in=[Question.Kind.SINGLE, Question.Kind.MULTIPLE]
        ).only("slug", "kind", "spec")
    }


_NOT_BLOCKED = ~Q(state=Submission.State.BLOCKED)
_STUCK = Q(passes=0, failed__gte=FAILED_ATTEMPTS_STRUGGLING)
_PASSED = Q(verdict=Submission.Verdict.PASSED)


def _exercise_sums():
    return {
        "attempts": Count("id", filter=_NOT_BLOCKED),
        "graded": Count("id", filter=Q(state=Submission.State.DONE)),
        "failed": Count("id", filter=failed_attempt()),
        "passes": Count("id", filter=_PASSED),
        "first_at": Min("created_at", filter=_NOT_BLOCKED),
        "last_at": Max("created_at"),
        "pass_attempt": Min("attempt", filter=_PASSED & _NOT_BLOCKED),
        "passed_at": Min("created_at", filter=_PASSED & _NOT_BLOCKED),
    }


def _lock_student(user_id: int) -> None:
    """Recomputes of one student's rows take turns (the student's row is the lock, as in
    submission_create): two graders finishing at once would otherwise both delete the
    old tallies and both insert new ones. Call inside a transaction."""
    get_user_model().objects.select_for_update().filter(pk=user_id).exists()


def _course_counts(passes: int, failed: int) -> tuple[int, int]:
    """What a course standing counts of an exercise standing: done, stuck (0 or 1)."""
    return int(passes > 0), int(passes == 0 and failed >= FAILED_ATTEMPTS_STRUGGLING)


@dataclass(frozen=True)
class _Change:
    """What recomputing an exercise standing did to what its course standing counts."""

    done: int  # -1, 0 or +1
    stuck: int  # -1, 0 or +1
    created: bool  # the row is new: its latest activity is new to the course standing
    gone: bool  # the row went, and its latest activity with it


def _exercise_standing(student_id: int, exercise_id: int) -> _Change:
    """Recompute one student's standing on one exercise from their submissions (a
    missing row counts as neither done nor stuck). Call under the student's lock."""
    key = {"student_id": student_id, "exercise_id": exercise_id}
    sums = Submission.objects.filter(**key).aggregate(**_exercise_sums())
    rows = ExerciseStanding.objects.filter(**key)
    before = rows.values_list("passes", "failed").first()
    if sums["last_at"] is None:
        rows.delete()
        return _Change(0, 0, created=False, gone=before is not None)
    if before is None:
        ExerciseStanding.objects.create(**key, **sums)
    else:
        rows.update(**sums)
    (done_before, stuck_before), (done, stuck) = (
        _course_counts(*(before or (0, 0))),
        _course_counts(sums["passes"], sums["failed"]),
    )
    return _Change(done - done_before, stuck - stuck_before, before is None, gone=False)


def exercise_changed(
    student_id: int, exercise_id: int, *, course: bool = True, tallies: bool = True
) -> None:
    """Recompute one student's standing and tallies on one exercise (and, by default,
    their standing in its course). ``tallies=False`` when no graded result changed:
    they read every graded result of the pair."""
    with transaction.atomic(savepoint=False):
        _lock_student(student_id)
        _exercise_standing(student_id, exercise_id)
        if tallies:
            mine = Submission.objects.filter(student_id=student_id, exercise_id=exercise_id)
            _exercise_tallies(mine, {"student_id": student_id, "exercise_id": exercise_id})
        if course:
            course_id = Exercise.objects.filter(pk=exercise_id).values_list("course_id").first()
            if course_id:
                _course_changed(student_id, course_id[0])


# The hot path: a submission made and a submission graded, the two changes a deadline
# rush is made of, touch only what they can move (the rebuild test checks that they
# leave the same rows as a recompute).


def submission_made(submission: Submission) -> None:
    """A new submission, not graded yet: one more attempt on its exercise standing, whose
    first and latest submission times may move (an upsert: the lock held by its maker,
    submission_create, keeps any recompute out until it commits); the course standing
    only moves its latest activity, unless it has no row yet or the exercise is off the
    course's path (where only a recompute knows what counts). Nothing else can move: a
    submission counts as done, failed or stuck only once graded."""
    student_id, exercise = submission.student_id, submission.exercise
    if submission.state == Submission.State.BLOCKED:  # counts as no attempt: recompute
        exercise_changed(student_id, exercise.id, tallies=False)
        return
    with transaction.atomic(savepoint=False):
        _lock_student(student_id)
        at = connection.ops.adapt_datetimefield_value(submission.created_at)
        with connection.cursor() as cursor:
            cursor.execute(ATTEMPT_ADD, [student_id, exercise.id, at, at])
        standing = CourseStanding.objects.filter(user_id=student_id, course_id=exercise.course_id)
        at = submission.created_at
        if not exercise.is_active or not (
            standing.filter(Q(last_activity_at__lt=at) | Q(last_activity_at__isnull=True)).update(
                last_activity_at=at
            )
            or standing.exists()
        ):
            _course_changed(student_id, exercise.course_id)


# One more attempt on a (student, exercise) standing, made if missing (PostgreSQL and
# SQLite both have upserts): what _exercise_sums would say after a new queued submission.
_STANDING = ExerciseStanding._meta.db_table
ATTEMPT_ADD = (
    f"INSERT INTO {_STANDING} (student_id, exercise_id, attempts, graded, failed, passes, "
    "first_at, last_at) VALUES (%s, %s, 1, 0, 0, 0, %s, %s) "
    "ON CONFLICT (student_id, exercise_id) DO UPDATE SET "
    f"attempts = {_STANDING}.attempts + 1, "
    f"first_at = CASE WHEN {_STANDING}.first_at IS NULL OR excluded.first_at < {_STANDING}.first_at "
    f"THEN excluded.first_at ELSE {_STANDING}.first_at END, "
    f"last_at = CASE WHEN {_STANDING}.last_at IS NULL OR excluded.last_at > {_STANDING}.last_at "
    f"THEN excluded.last_at ELSE {_STANDING}.last_at END"
)


# Adds a result's counts to the pair's rows (PostgreSQL and SQLite both have upserts).
_TALLY = ExerciseTally._meta.db_table
TALLY_ADD = (
    f"INSERT INTO {_TALLY} (student_id, exercise_id, kind, label, runs, hits) "
    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (student_id, exercise_id, kind, label) "
    f"DO UPDATE SET runs = {_TALLY}.runs + excluded.runs, hits = {_TALLY}.hits + excluded.hits"
)


def submission_graded(*, submission: Submission, verdict: str, checks) -> None:
    """``submission`` became graded with this verdict and these check rows (its stored
    result's): its counts are added to the exercise standing and the result's to the
    pair's tallies (both are sums over graded results, and this one was not graded
    before), and the course standing's done and stuck move by what the exercise's flags
    did, in one UPDATE (a verdict changes no activity time: that is the submission's
    creation, counted then). A standing missing its row is recomputed instead. Call only
    for the one change running -> done, in its transaction."""
    student_id, exercise = submission.student_id, submission.exercise
    with transaction.atomic(savepoint=False):
        _lock_student(student_id)
        change = _graded_counted(submission, verdict)
        if change is None:
            change = _exercise_standing(student_id, exercise.id)
        rows = [
            (student_id, exercise.id, kind, label, runs, hits)
            for kind, label, runs, hits in exercise_tallies([checks])
        ]
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(TALLY_ADD, rows)
        if not exercise.is_active:
            return  # off the course's path: the course standing does not count it
        standing = CourseStanding.objects.filter(user_id=student_id, course_id=exercise.course_id)
        moves = {
            field: F(field) + delta
            for field, delta in (("done", change.done), ("stuck", change.stuck))
            if delta
        }
        if change.created or change.gone or (moves and not standing.update(**moves)):
            _course_changed(student_id, exercise.course_id)


# One graded submission's counts added to its standing (what _exercise_sums says after
# it): graded; failed unless passed or invalid (failed_attempt); a pass, with the first
# passing attempt's number and time. RETURNING says what the course standing counts now.
GRADED_ADD = (
    f"UPDATE {_STANDING} SET graded = graded + 1, failed = failed + %s, passes = passes + %s, "
    "pass_attempt = CASE WHEN %s AND (pass_attempt IS NULL OR pass_attempt > %s) "
    "THEN %s ELSE pass_attempt END, "
    "passed_at = CASE WHEN %s AND (passed_at IS NULL OR passed_at > %s) "
    "THEN %s ELSE passed_at END "
    "WHERE student_id = %s AND exercise_id = %s RETURNING passes, failed"
)


def _graded_counted(submission: Submission, verdict: str) -> _Change | None:
    """Add a newly graded submission to its exercise standing; None when there is no row."""
    passed = verdict == Submission.Verdict.PASSED
    failed = int(verdict not in (Submission.Verdict.PASSED, Submission.Verdict.INVALID))
    at = connection.ops.adapt_datetimefield_value(submission.created_at)
    with connection.cursor() as cursor:
        cursor.execute(
            GRADED_ADD,
            [failed, int(passed), passed, submission.attempt, submission.attempt,
             passed, at, at, submission.student_id, submission.exercise_id],
        )  # fmt: skip
        after = cursor.fetchone()
    if after is None:
        return None
    passes, fails = after
    (done_before, stuck_before), (done, stuck) = (
        _course_counts(passes - int(passed), fails - failed),
        _course_counts(passes, fails),
    )
    return _Change(done - done_before, stuck - stuck_before, created=False, gone=False)


def _exercise_tallies(mine, key: dict) -> None:
    results = mine.filter(state=Submission.State.DONE).values_list("result__checks", flat=True)
    ExerciseTally.objects.filter(**key).delete()
    ExerciseTally.objects.bulk_create(
        ExerciseTally(**key, kind=kind, label=label, runs=runs, hits=hits)
        for kind, label, runs, hits in exercise_tallies(results.iterator())
    )


def exercises_changed(pairs: Iterable[tuple[int, int]]) -> None:
    """``exercise_changed`` for each (student, exercise) pair, each course once."""
    courses = set()
    pairs = sorted(set(pairs))  # students locked in one order: no deadlock between callers
    for student_id, exercise_id in pairs:
        exercise_changed(student_id, exercise_id, course=False)
    exercise_courses = dict(
        Exercise.objects.filter(pk__in={e for _, e in pairs}).values_list("id", "course_id")
    )
    for student_id, exercise_id in pairs:
        if exercise_id in exercise_courses:
            courses.add((student_id, exercise_courses[exercise_id]))
    for student_id, course_id in sorted(courses):
        course_changed(student_id, course_id)


def submissions_changed(submission_ids: Iterable[int]) -> None:
    """``exercises_changed`` for the pairs of these submissions."""
    ids = list(submission_ids)
    if ids:
        exercises_changed(
            Submission.objects.filter(id__in=ids).values_list("student_id", "exercise_id")
        )


def quiz_changed(user_id: int, quiz_id: int) -> None:
    with transaction.atomic(savepoint=False):
        _lock_student(user_id)
        mine = QuizAttempt.objects.filter(user_id=user_id, quiz_id=quiz_id)
        sums = mine.aggregate(
            attempts=Count("id"),
            passes=Count("id", filter=Q(passed=True)),
            last_at=Max("created_at"),
        )
        key = {"user_id": user_id, "quiz_id": quiz_id}
        if not sums["attempts"]:
            QuizStanding.objects.filter(**key).delete()
        else:
            QuizStanding.objects.update_or_create(**key, defaults=sums)
        rows = mine.order_by("created_at", "id").values_list("score", "answers", "results")
        QuizTally.objects.filter(**key).delete()
        QuizTally.objects.bulk_create(
            QuizTally(**key, kind=kind, label=label, runs=runs, hits=hits)
            for kind, label, runs, hits in quiz_tallies(rows, choice_questions(quiz_id))
        )
        course_id = Quiz.objects.filter(pk=quiz_id).values_list("course_id").first()
        if course_id:
            course_changed(user_id, course_id[0])


def _path(course_id: int) -> dict[str, Q]:
    """The course's active path, as conditions on each standing (as
    teaching.selectors.items.cohort_items lists it: a checkpoint counts under an active
    lesson; an exercise counts even when its lesson is gone)."""
    return {
        "lesson": Q(lesson__course_id=course_id, lesson__is_active=True),
        "quiz": Q(quiz__course_id=course_id, quiz__is_active=True, quiz__lesson__is_active=True),
        "exercise": Q(exercise__course_id=course_id, exercise__is_active=True),
    }


def course_changed(user_id: int, course_id: int) -> None:
    """Recompute one student's items done and latest activity in one course."""
    with transaction.atomic(savepoint=False):
        _lock_student(user_id)
        _course_changed(user_id, course_id)


def _course_changed(user_id: int, course_id: int) -> None:
    path = _path(course_id)
    lessons = (
        LessonProgress.objects.filter(path["lesson"], user_id=user_id)
        .exclude(state=LessonProgress.State.NOT_STARTED)
        .aggregate(
            done=Count("id", filter=Q(state=LessonProgress.State.PASSED)), last=Max("last_seen_at")
        )
    )
    quizzes = QuizStanding.objects.filter(path["quiz"], user_id=user_id).aggregate(
        done=Count("id", filter=Q(passes__gt=0)), last=Max("last_at")
    )
    exercises = ExerciseStanding.objects.filter(path["exercise"], student_id=user_id).aggregate(
        done=Count("id", filter=Q(passes__gt=0)),
        last=Max("last_at"),
        stuck=Count("id", filter=_STUCK),
    )
    parts = (lessons, quizzes, exercises)
    lasts = [part["last"] for part in parts if part["last"] is not None]
    if not lasts:  # nothing to count (a lesson opened, not read): no row, as rebuild
        CourseStanding.objects.filter(user_id=user_id, course_id=course_id).delete()
        return
    CourseStanding.objects.update_or_create(
        user_id=user_id,
        course_id=course_id,
        defaults={
            "done": sum(part["done"] for part in parts),
            "last_activity_at": max(lasts) if lasts else None,
            "stuck": exercises["stuck"],
        },
    )


def activity_seen(*, user_id: int, course_id: int, at) -> None:
    """A lesson opened or read on: only the latest activity can have moved. One UPDATE
    in the common case (the standing exists and is older)."""
    with transaction.atomic(savepoint=False):
        _lock_student(user_id)  # else a recompute that read older rows could write last
        standing = CourseStanding.objects.filter(user_id=user_id, course_id=course_id)
        moved = standing.filter(Q(last_activity_at__lt=at) | Q(last_activity_at__isnull=True))
        if not moved.update(last_activity_at=at) and not standing.exists():
            _course_changed(user_id, course_id)


# Receivers (connected in grading/apps.py) ----------------------------------------------

# A lesson's progress saved with only these fields changed moves only the latest activity.
_SEEN_FIELDS = frozenset(
    {"last_seen_at", "reading_position", "think_answer", "think_answered_at", "think_skipped"}
)


def on_submission_saved(*, instance: Submission, raw=False, created=False, **kwargs) -> None:
    if raw:
        return
    # A submission just made has no graded result unless it was written as one.
    if created and instance.state != Submission.State.DONE:
        submission_made(instance)
    else:
        exercise_changed(instance.student_id, instance.exercise_id)
    if created:
        course_id = Exercise.objects.filter(pk=instance.exercise_id).values_list("course_id")
        activity_counted(instance.student_id, course_id, instance.created_at, "submissions")


def on_attempt_saved(*, instance: QuizAttempt, raw=False, created=False, **kwargs) -> None:
    if raw:
        return
    quiz_changed(instance.user_id, instance.quiz_id)
    if created:
        course_id = Quiz.objects.filter(pk=instance.quiz_id).values_list("course_id")
        activity_counted(instance.user_id, course_id, instance.created_at, "attempts")


def activity_counted(user_id: int, course_id, at, field: str) -> None:
    """One more submission or attempt at ``at`` in the hourly activity of every cohort of
    the course the student is a current student of, and was at ``at`` (``course_id``: an
    id or a subquery)."""
    hour = at.replace(minute=0, second=0, microsecond=0)
    cohorts = (
        Membership.objects.filter(
            user_id=user_id,
            cohort__course_id__in=course_id if not isinstance(course_id, int) else [course_id],
            role=Membership.Role.STUDENT,
            archived_at__isnull=True,
            joined_at__lte=at,  # work from before joining is not the cohort's
        )
        .values_list("cohort_id", flat=True)
        .order_by()
    )
    # One statement for every cohort: a row per hour made or counted on (ON CONFLICT, in
    # PostgreSQL and SQLite alike; "WHERE true" keeps SQLite's parser from reading ON as
    # the SELECT's join).
    select, params = cohorts.query.sql_with_params()
    other = "attempts" if field == "submissions" else "submissions"
    table = CohortActivity._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (cohort_id, hour, {field}, {other}) "
            f"SELECT DISTINCT m.cohort_id, %s, 1, 0 FROM ({select}) AS m WHERE true "
            f"ON CONFLICT (cohort_id, hour) DO UPDATE SET {field} = {table}.{field} + 1",
            [connection.ops.adapt_datetimefield_value(hour), *params],
        )


def on_progress_saved(*, instance: LessonProgress, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    course_id = instance.lesson.course_id
    if update_fields is not None and set(update_fields) <= _SEEN_FIELDS:
        activity_seen(user_id=instance.user_id, course_id=course_id, at=instance.last_seen_at)
    else:
        course_changed(instance.user_id, course_id)


def on_lesson_seen(*, user_id: int, course_id: int, at, **kwargs) -> None:
    """courses.signals.lesson_seen: a visit or a reading position saved with an UPDATE."""
    activity_seen(user_id=user_id, course_id=course_id, at=at)


def rebuild(*, course_id: int | None = None, chunk: int = 2000) -> dict[str, int]:
    """Recompute every standing and tally (of one course, or of every course, one
    transaction per course: grading waits on a course's rows only while that course is
    rebuilt) from the submissions, attempts and lesson progress. Returns the rows
    written per table."""
    from courses.models import Course  # only the rebuild needs it

    ids = [course_id] if course_id is not None else Course.objects.values_list("id", flat=True)
    written: Counter = Counter()
    for one in list(ids):
        with transaction.atomic():
            written.update(_rebuild_course(one, chunk))
    return dict(written)


def fill_if_empty(*, using: str = "default", **kwargs) -> None:
    """post_migrate: standings are empty but there is work to count (the first migrate
    after the upgrade that added them): rebuild them all, once."""
    if using != "default" or CourseStanding.objects.exists():
        return
    if Submission.objects.exists() or QuizAttempt.objects.exists():
        log.warning("event=standings_rebuilt reason=empty_after_migrate")
        rebuild()


def path_changed(*, course_id: int, **kwargs) -> None:
    """courses.signals.course_synced: items made active or inactive change what "done" and
    "stuck" count, and a checkpoint's choices what a picked index means."""
    quiz_ids = list(Quiz.objects.filter(course_id=course_id).values_list("id", flat=True))
    with transaction.atomic():
        QuizTally.objects.filter(quiz_id__in=quiz_ids).delete()
        _rebuild_quiz_tallies(quiz_ids, 2000)
        _rebuild_courses(course_id)


def _rebuild_course(course_id: int, chunk: int) -> Counter:
    exercises = Exercise.objects.filter(course_id=course_id)
    quizzes = Quiz.objects.filter(course_id=course_id)
    exercise_ids = list(exercises.values_list("id", flat=True))
    quiz_ids = list(quizzes.values_list("id", flat=True))
    written = Counter()
    ExerciseStanding.objects.filter(exercise_id__in=exercise_ids).delete()
    ExerciseTally.objects.filter(exercise_id__in=exercise_ids).delete()
    sums = (
        Submission.objects.filter(exercise_id__in=exercise_ids)
        .values("student_id", "exercise_id")
        .annotate(**_exercise_sums())
        .order_by()
    )
    written["exercise standings"] = _bulk(ExerciseStanding, sums.iterator(chunk_size=chunk))
    written["exercise tallies"] = _rebuild_exercise_tallies(exercise_ids, chunk)
    QuizStanding.objects.filter(quiz_id__in=quiz_ids).delete()
    QuizTally.objects.filter(quiz_id__in=quiz_ids).delete()
    quiz_sums = (
        QuizAttempt.objects.filter(quiz_id__in=quiz_ids)
        .values("user_id", "quiz_id")
        .annotate(
            attempts=Count("id"),
            passes=Count("id", filter=Q(passed=True)),
            last_at=Max("created_at"),
        )
        .order_by()
    )
    written["quiz standings"] = _bulk(QuizStanding, quiz_sums.iterator(chunk_size=chunk))
    written["quiz tallies"] = _rebuild_quiz_tallies(quiz_ids, chunk)
    written["course standings"] = _rebuild_courses(course_id)
    written["cohort activity hours"] = _rebuild_activity(course_id)
    return written


def _rebuild_activity(course_id: int) -> int:
    """Work counts in a cohort's activity when it was made while its student was in the
    cohort (joined, and not archived), as activity_counted counts it at the time; a
    student archived and restored since counts from the restore on (the membership keeps
    no history)."""
    from courses.models import Cohort  # only the rebuild needs it

    cohorts = Cohort.objects.filter(course_id=course_id)
    CohortActivity.objects.filter(cohort__in=cohorts).delete()
    hours: dict[tuple[int, object], dict] = {}
    students = Membership.objects.filter(cohort__in=cohorts, role=Membership.Role.STUDENT)

    def made_as_member(relation: str, item: str):
        # One filter() call: every condition is about the same submission or attempt.
        made = f"user__{relation}__created_at"
        return (
            students.filter(
                Q(**{f"user__{relation}__{item}__course_id": F("cohort__course_id")}),
                Q(**{f"{made}__gte": F("joined_at")}),
                Q(archived_at__isnull=True) | Q(**{f"{made}__lt": F("archived_at")}),
            )
            .annotate(at=TruncHour(made))
            .values_list("cohort_id", "at")
        )

    for field, rows in (
        ("submissions", made_as_member("submissions", "exercise")),
        ("attempts", made_as_member("quiz_attempts", "quiz")),
    ):
        for cohort_id, hour, count in rows.annotate(n=Count("id")).order_by():
            key = (cohort_id, hour)
            hours.setdefault(key, {"cohort_id": cohort_id, "hour": hour})[field] = count
    return _bulk(CohortActivity, hours.values())


def _bulk(model, rows: Iterable[dict], size: int = 5000) -> int:
    batch, count = [], 0
    for row in rows:
        batch.append(model(**row))
        if len(batch) >= size:
            model.objects.bulk_create(batch)
            count, batch = count + len(batch), []
    model.objects.bulk_create(batch)
    return count + len(batch)


def _grouped(rows, key_size: int = 2):
    """Runs of rows ordered by their first ``key_size`` fields, as (key, [rest])."""
    key, group = None, []
    for row in rows:
        if row[:key_size] != key:
            if group:
                yield key, group
            key, group = row[:key_size], []
        group.append(row[key_size:])
    if group:
        yield key, group


def _rebuild_exercise_tallies(exercise_ids: list[int], chunk: int) -> int:
    rows = (
        Submission.objects.filter(exercise_id__in=exercise_ids, state=Submission.State.DONE)
        .order_by("student_id", "exercise_id")
        .values_list("student_id", "exercise_id", "result__checks")
    )

    def tallies():
        for (student_id, exercise_id), results in _grouped(rows.iterator(chunk_size=chunk)):
            for kind, label, runs, hits in exercise_tallies(r[0] for r in results):
                yield {
                    "student_id": student_id,
                    "exercise_id": exercise_id,
                    "kind": kind,
                    "label": label,
                    "runs": runs,
                    "hits": hits,
                }

    return _bulk(ExerciseTally, tallies())


def _rebuild_quiz_tallies(quiz_ids: list[int], chunk: int) -> int:
    questions = {quiz_id: choice_questions(quiz_id) for quiz_id in quiz_ids}
    rows = (
        QuizAttempt.objects.filter(quiz_id__in=quiz_ids)
        .order_by("user_id", "quiz_id", "created_at", "id")
        .values_list("user_id", "quiz_id", "score", "answers", "results")
    )

    def tallies():
        for (user_id, quiz_id), attempts in _grouped(rows.iterator(chunk_size=chunk)):
            for kind, label, runs, hits in quiz_tallies(attempts, questions[quiz_id]):
                yield {
                    "user_id": user_id,
                    "quiz_id": quiz_id,
                    "kind": kind,
                    "label": label,
                    "runs": runs,
                    "hits": hits,
                }

    return _bulk(QuizTally, tallies())


def _add_course_rows(rows, done: Counter, last: dict) -> None:
    for user_id, count, latest in rows:
        done[user_id] += count
        if latest is not None and (user_id not in last or latest > last[user_id]):
            last[user_id] = latest


def _rebuild_courses(course_id: int | None) -> int:
    """Every (student, course) with anything to count, recomputed."""
    from courses.models import Course  # only the rebuild needs it

    courses = Course.objects.all() if course_id is None else Course.objects.filter(pk=course_id)
    written = 0
    for course in courses.only("id"):
        path = _path(course.id)
        done: Counter = Counter()
        last: dict[int, object] = {}

        def add(rows, done=done, last=last):
            _add_course_rows(rows, done, last)

        add(
            LessonProgress.objects.filter(path["lesson"])
            .exclude(state=LessonProgress.State.NOT_STARTED)
            .values_list("user_id")
            .annotate(
                n=Count("id", filter=Q(state=LessonProgress.State.PASSED)), last=Max("last_seen_at")
            )
            .order_by()
        )
        add(
            QuizStanding.objects.filter(path["quiz"])
            .values_list("user_id")
            .annotate(n=Count("id", filter=Q(passes__gt=0)), last=Max("last_at"))
            .order_by()
        )
        add(
            ExerciseStanding.objects.filter(path["exercise"])
            .values_list("student_id")
            .annotate(n=Count("id", filter=Q(passes__gt=0)), last=Max("last_at"))
            .order_by()
        )
        stuck = dict(
            ExerciseStanding.objects.filter(path["exercise"], _STUCK)
            .values_list("student_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        users = set(done) | set(last) | set(stuck)  # a student with no row has done nothing
        CourseStanding.objects.filter(course_id=course.id).delete()
        written += _bulk(
            CourseStanding,
            (
                {
                    "user_id": user_id,
                    "course_id": course.id,
                    "done": done[user_id],
                    "last_activity_at": last.get(user_id),
                    "stuck": stuck.get(user_id, 0),
                }
                for user_id in users
            ),
        )
    return written
