"""Reads that views share. Anything personal is scoped to the user asking."""

import hashlib
import re
import uuid as uuid_module
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, ExpressionWrapper, F, FloatField, Max, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from judge.verdicts import Verdict

from . import schedule
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
    ScheduleEntry,
)
from .schedule import Deadline, in_words, item_deadline, when

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


# The score that counts -------------------------------------------------------------------


def is_latest_attempt() -> Q:
    """A condition over QuizAttempt: the row is its student's latest attempt at its
    checkpoint (by created_at, the later row on a tie), the one that counts under a
    cohort's LATEST policy. A correlated subquery rather than a window, so it reads the
    same on PostgreSQL and SQLite and can filter an aggregate."""
    newer = (
        QuizAttempt.objects.filter(user_id=OuterRef("user_id"), quiz_id=OuterRef("quiz_id"))
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )
    return Q(id=Subquery(newer))


def counted_quiz_score(
    *, student_id: int, quiz_id: int, policy: str = Cohort.ScorePolicy.BEST
) -> float | None:
    """The share (0..1) of the checkpoint that counts for the student under the cohort's
    ``policy`` (Cohort.ScorePolicy; anything else is a ValueError): the highest of score x
    late factor over their attempts, or the latest attempt's. None before any attempt."""
    attempts = QuizAttempt.objects.filter(user_id=student_id, quiz_id=quiz_id)
    if Cohort.ScorePolicy(policy) == Cohort.ScorePolicy.LATEST:
        attempts = attempts.filter(is_latest_attempt())
    counted = ExpressionWrapper(F("score") * F("score_factor"), output_field=FloatField())
    return attempts.aggregate(counted=Max(counted))["counted"]


# The schedule as the student's pages word it ---------------------------------------------

# "Due soon" on the course home: due within this long from now.
SOON = timedelta(days=7)
# Scrolled this far through a lesson: "continue" goes straight to its checkpoint.
READ_THROUGH = 0.95
KIND_LABELS = {
    ScheduleEntry.Kind.LESSON: "reading",
    ScheduleEntry.Kind.QUIZ: "checkpoint",
    ScheduleEntry.Kind.EXERCISE: "exercise",
}


def policy_words(deadline: Deadline) -> str:
    """The late policy in words: "late work loses 10% per day, down to 50%"."""
    if deadline.due_at is None:
        return ""
    if deadline.policy == ScheduleEntry.Policy.CLOSE:
        return "closes at the due date"
    free = deadline.penalty_percent == 0 or deadline.floor_percent >= 100
    if deadline.policy == ScheduleEntry.Policy.ACCEPT or free:
        return "late work is accepted without penalty"
    unit = "hour" if deadline.penalty_unit == ScheduleEntry.Unit.HOUR else "day"
    floor = "nothing" if deadline.floor_percent == 0 else f"{deadline.floor_percent:g}%"
    return f"late work loses {deadline.penalty_percent:g}% per {unit}, down to {floor}"


def duration_words(seconds: float) -> str:
    """A duration in its two largest units that are not zero, "1 day 2 hours", "1 day 10
    minutes": precise enough that a student can check a per-day penalty against it
    (in_words alone would say "1 day" for both)."""
    seconds = int(abs(seconds))
    units = (
        timedelta(days=seconds // 86400),
        timedelta(hours=seconds % 86400 // 3600),
        timedelta(minutes=seconds % 3600 // 60),
    )
    words = [in_words(unit) for unit in units if unit][:2]
    return " ".join(words) if words else in_words(timedelta(0))


def late_note(*, late_by_s: int, score_factor: float) -> str:
    """What a late attempt's result says: "late by 1 day: 80% of the score counts"."""
    if late_by_s <= 0:
        return ""
    late = f"late by {duration_words(late_by_s)}"
    if score_factor >= 1:
        return f"{late}: the full score counts"
    return f"{late}: {round(score_factor * 100, 1):g}% of the score counts"


def scores_hidden(*, viewer, deadline: Deadline | None, now: datetime) -> bool:
    """Exam style: until the (student's own) due date a student sees that their work was
    received, not how it did. Staff are never held back by a schedule."""
    return deadline is not None and not viewer.is_staff and deadline.hides_scores(now)


def results_note(deadline: Deadline) -> str:
    return f"Submitted — results are shown after the due date, {when(deadline.due_at, deadline.tz)}"


@dataclass(frozen=True)
class DeadlineNote:
    """One item's deadline for one student, as the item's page words it at ``now``."""

    deadline: Deadline
    now: datetime

    @property
    def state(self) -> str:
        return self.deadline.state(self.now)

    @property
    def opens(self) -> str:
        """The open date, while it is still ahead."""
        if self.state != "not_open":
            return ""
        return when(self.deadline.opens_at, self.deadline.tz)

    @property
    def due(self) -> str:
        return when(self.deadline.due_at, self.deadline.tz)

    @property
    def relative(self) -> str:
        due = self.deadline.due_at
        if due is None:
            return ""
        if self.now <= due:
            return f"due in {in_words(due - self.now)}"
        return f"was due {in_words(self.now - due)} ago"

    @property
    def original_due(self) -> str:
        return when(self.deadline.original_due_at, self.deadline.tz)

    @property
    def extended(self) -> bool:
        return self.deadline.extended

    @property
    def reason(self) -> str:
        return self.deadline.reason

    @property
    def policy(self) -> str:
        return policy_words(self.deadline)

    @property
    def refusal(self) -> str:
        return self.deadline.refusal(self.now)

    @property
    def hides_scores(self) -> bool:
        return self.deadline.hides_scores(self.now)

    @property
    def late_now(self) -> str:
        """While late under a penalty: what an attempt made now keeps."""
        if self.state != "late":
            return ""
        factor = self.deadline.factor(self.now)
        if factor >= 1:
            return ""
        return f"An attempt made now keeps {round(factor * 100, 1):g}% of its score."


def deadline_note(deadline: Deadline | None, *, now: datetime | None = None) -> DeadlineNote | None:
    if deadline is None or (deadline.due_at is None and deadline.opens_at is None):
        return None
    return DeadlineNote(deadline=deadline, now=now or timezone.now())


def check_names(*, exercise: Exercise) -> list[str]:
    """The exercise's checks by name, for a result whose details are withheld: taken from
    the latest graded submission that ran them (anyone's: the names are the exercise's,
    the same for all), so a withheld result lists the same names whatever its own verdict
    was. Read through the reverse relation, like best_scores."""
    checks = (
        Exercise.objects.filter(
            pk=exercise.pk,
            submissions__state="done",
            submissions__result__checks__0__name__isnull=False,
        )
        .order_by("-submissions__finished_at")
        .values_list("submissions__result__checks", flat=True)
        .first()
    )
    return [str(c["name"]) for c in checks or [] if isinstance(c, dict) and c.get("name")]


@dataclass(frozen=True)
class Withheld:
    """A student's results held back until the due date (exam style): what they may see
    instead is that the work was received and graded, and the checks' names."""

    note: str  # "Submitted — results are shown after the due date, <date>"
    until: datetime
    check_names: tuple[str, ...] = ()


def withheld_by(
    deadline: Deadline | None, *, viewer, exercise: Exercise, now: datetime, names: bool = True
) -> Withheld | None:
    """The results ``viewer`` may not see yet, under their own ``deadline`` for the
    exercise; None when nothing is held back."""
    if not scores_hidden(viewer=viewer, deadline=deadline, now=now):
        return None
    return Withheld(
        note=results_note(deadline),
        until=deadline.due_at,
        check_names=tuple(check_names(exercise=exercise)) if names else (),
    )


# "Not read yet": a caller that has not read the student's deadline (None is "no deadline").
UNREAD = object()


def exercise_deadline(*, student, exercise: Exercise) -> Deadline | None:
    return item_deadline(
        user=student, course=exercise.course, kind=ScheduleEntry.Kind.EXERCISE, slug=exercise.slug
    )


def results_withheld(
    *,
    viewer,
    student,
    exercise: Exercise,
    now: datetime | None = None,
    names: bool = True,
    deadline: Deadline | None | object = UNREAD,
) -> Withheld | None:
    """Whether ``viewer`` is kept from the results of ``student``'s submissions to the
    exercise now: only a student looking at their own, before their own due date, on an
    exercise whose schedule hides scores. Anyone else allowed to see them (staff, the
    instructors' pages) sees everything. ``deadline``: the student's for the exercise
    (``exercise_deadline``) when the caller read it already."""
    if not viewer.is_authenticated or viewer.pk != student.pk or viewer.is_staff:
        return None
    if deadline is UNREAD:
        deadline = exercise_deadline(student=student, exercise=exercise)
    return withheld_by(
        deadline, viewer=viewer, exercise=exercise, now=now or timezone.now(), names=names
    )


# The study path ------------------------------------------------------------------------


@dataclass(frozen=True)
class PathItem:
    """One thing to do on the study path: read a lesson, pass its checkpoint, pass an
    exercise (an exercise whose results are withheld counts once submitted)."""

    kind: str
    slug: str
    title: str
    url: str
    done: bool
    deadline: Deadline | None = None
    # Where "continue" goes when that is not `url` (a lesson half read: where the
    # reading position is restored, not straight to its checkpoint).
    resume_url: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def continue_url(self) -> str:
        return self.resume_url or self.url


@dataclass(frozen=True)
class DueItem:
    """A line of the course home's "Due soon" or "Overdue" list."""

    kind_label: str
    title: str
    url: str
    due_at: datetime
    due: str
    words: str  # "due in 3 days", "overdue by 5 hours"
    extended: bool
    reason: str
    closed: bool
    late: bool  # past its due date, still taking work
    opens: str  # while it is not open yet
    policy: str


def _due_item(item: PathItem, now: datetime) -> DueItem:
    deadline = item.deadline
    due = deadline.due_at
    words = f"due in {in_words(due - now)}" if now <= due else f"overdue by {in_words(now - due)}"
    state = deadline.state(now)
    return DueItem(
        kind_label=item.kind_label,
        title=item.title,
        url=item.url,
        due_at=due,
        due=when(due, deadline.tz),
        words=words,
        extended=deadline.extended,
        reason=deadline.reason,
        closed=state == "closed",
        late=state == "late",
        opens=when(deadline.opens_at, deadline.tz) if state == "not_open" else "",
        policy=policy_words(deadline),
    )


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
    items: list[PathItem] = field(default_factory=list)
    # "Continue": the first item on the path not done yet (and open to attempts).
    next_item: PathItem | None = None
    due_soon: list[DueItem] = field(default_factory=list)
    overdue: list[DueItem] = field(default_factory=list)
    # The student's cohort has a schedule for this course.
    scheduled: bool = False

    @property
    def percent(self) -> int:
        return round(100 * self.passed / self.total) if self.total else 0

    @property
    def started(self) -> bool:
        return any(item.done for item in self.items)


def _withheld(score: dict | None, deadline: Deadline) -> dict | None:
    """A best-score entry with its score and pass taken out (hidden until the due date)."""
    if score is None:
        return None
    return {
        "hidden": True,
        "attempts": score["attempts"],
        "results_after": when(deadline.due_at, deadline.tz),
    }


def _scored_exercises(*, course, exercises, scores, deadlines, user, now) -> list[tuple]:
    rows = []
    for exercise in exercises:
        score = scores.get(exercise.id)
        deadline = deadlines.get((ScheduleEntry.Kind.EXERCISE, exercise.slug))
        if scores_hidden(viewer=user, deadline=deadline, now=now):
            score = _withheld(score, deadline)
        rows.append((exercise, exercise_url(course=course, exercise=exercise), score))
    return rows


def course_path(*, course: Course, user, now: datetime | None = None) -> StudyPath:
    """The study path with the user's state per lesson and best score per exercise, the
    items due soon and overdue in their cohort's schedule, and the next item to do, in a
    fixed number of queries whatever the size of the course."""
    now = now or timezone.now()
    quiz = Quiz.objects.filter(lesson=OuterRef("pk"), is_active=True)
    lessons = list(
        course.lessons.filter(is_active=True).annotate(
            quiz_slug=Subquery(quiz.values("slug")[:1]),
            quiz_title=Subquery(quiz.values("title")[:1]),
        )
    )
    exercises = list(
        Exercise.objects.filter(course=course, is_active=True, lesson__isnull=False).order_by(
            "lesson__position", "position", "slug"
        )
    )
    progress: dict[int, LessonProgress] = {}
    scores: dict[int, dict] = {}
    deadlines: dict[tuple[str, str], Deadline] = {}
    if user.is_authenticated:
        progress = {
            p.lesson_id: p for p in LessonProgress.objects.filter(user=user, lesson__in=lessons)
        }
        scores = best_scores(user=user, exercises=exercises)
        cohort = schedule.student_cohort(user=user, course=course)
        deadlines = schedule.deadlines_for(cohort=cohort, user=user)
    by_lesson: dict[int, list] = {}
    for row in _scored_exercises(
        course=course,
        exercises=exercises,
        scores=scores,
        deadlines=deadlines,
        user=user,
        now=now,
    ):
        by_lesson.setdefault(row[0].lesson_id, []).append(row)
    rows, items = [], []
    for lesson in lessons:
        mine = progress.get(lesson.id)
        state = mine.state if mine else LessonProgress.State.NOT_STARTED
        row = PathLesson(
            lesson=lesson,
            state=state,
            state_label=LessonProgress.State(state).label,
            exercises=by_lesson.get(lesson.id, []),
        )
        rows.append(row)
        items.extend(_lesson_items(course, row, mine, deadlines))
    study_path = StudyPath(
        lessons=rows,
        passed=sum(1 for row in rows if row.state == LessonProgress.State.PASSED),
        total=len(rows),
        items=items,
        scheduled=bool(deadlines),
    )
    if user.is_authenticated:
        study_path.next_item = _next_item(items, now)
        study_path.due_soon, study_path.overdue = _due_lists(items, now)
    return study_path


def _lesson_items(course, row: PathLesson, mine, deadlines) -> list[PathItem]:
    lesson = row.lesson
    url = reverse("courses:lesson", args=[course.slug, lesson.slug])
    kinds = ScheduleEntry.Kind
    items = [
        PathItem(
            kind=kinds.LESSON,
            slug=lesson.slug,
            title=lesson.title,
            url=url,
            done=row.state != LessonProgress.State.NOT_STARTED,
            deadline=deadlines.get((kinds.LESSON, lesson.slug)),
        )
    ]
    if lesson.quiz_slug:
        read = mine is not None and mine.reading_position >= READ_THROUGH
        items.append(
            PathItem(
                kind=kinds.QUIZ,
                slug=lesson.quiz_slug,
                title=lesson.quiz_title,
                url=url + "#checkpoint",
                done=row.state == LessonProgress.State.PASSED,
                deadline=deadlines.get((kinds.QUIZ, lesson.quiz_slug)),
                resume_url="" if read else url,
            )
        )
    for exercise, page, score in row.exercises:
        if score and score.get("hidden"):
            done = score["attempts"] > 0
        else:
            done = bool(score and score["passed"])
        items.append(
            PathItem(
                kind=kinds.EXERCISE,
                slug=exercise.slug,
                title=exercise.title,
                url=page,
                done=done,
                deadline=deadlines.get((kinds.EXERCISE, exercise.slug)),
            )
        )
    return items


def _next_item(items: list[PathItem], now: datetime) -> PathItem | None:
    """The first item not done whose attempts are open now: a checkpoint or exercise that
    is closed, or not open yet, can take no work, so "continue" passes it by. (A reading
    is never refused.)"""
    for item in items:
        if item.done:
            continue
        refused = item.deadline is not None and item.deadline.refusal(now)
        if refused and item.kind != ScheduleEntry.Kind.LESSON:
            continue
        return item
    return None


def _due_lists(items: list[PathItem], now: datetime) -> tuple[list[DueItem], list[DueItem]]:
    soon, overdue = [], []
    for item in items:
        deadline = item.deadline
        if item.done or deadline is None or deadline.due_at is None:
            continue
        if now > deadline.due_at:
            overdue.append(_due_item(item, now))
        elif deadline.due_at - now <= SOON:
            soon.append(_due_item(item, now))
    return sorted(soon, key=lambda d: d.due_at), sorted(overdue, key=lambda d: d.due_at)


def lesson_quiz(*, lesson: Lesson) -> Quiz | None:
    return lesson.quizzes.filter(is_active=True).first()


def lesson_exercises(
    *, lesson: Lesson, user, deadlines=None, now=None, exercises=None
) -> list[tuple]:
    """(exercise, url, best score) for the lesson's exercises (``exercises``: its active
    exercises when the caller has them, else they are read); a score withheld until the
    due date (``deadlines``: the student's, from deadlines_for) is replaced as on the
    course home."""
    if exercises is None:
        exercises = list(lesson.exercises.filter(is_active=True))
    scores = best_scores(user=user, exercises=exercises) if user.is_authenticated else {}
    return _scored_exercises(
        course=lesson.course,
        exercises=exercises,
        scores=scores,
        deadlines=deadlines or {},
        user=user,
        now=now or timezone.now(),
    )


def lesson_deadlines(*, lesson: Lesson, user) -> dict[tuple[str, str], Deadline]:
    """The student's deadlines in the lesson's course (every item: three queries)."""
    if not user.is_authenticated:
        return {}
    cohort = schedule.student_cohort(user=user, course=lesson.course)
    return schedule.deadlines_for(cohort=cohort, user=user)


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


# The calendar feed ---------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    summary: str
    due_at: datetime
    path: str  # the item's page
    description: str


def _course_items(course: Course) -> dict[tuple[str, str], tuple[str, str]]:
    """(kind, slug) -> (title, page path) for every active item of the course."""
    kinds = ScheduleEntry.Kind
    items = {}
    for slug, title in course.lessons.filter(is_active=True).values_list("slug", "title"):
        items[(kinds.LESSON, slug)] = (title, reverse("courses:lesson", args=[course.slug, slug]))
    quizzes = Quiz.objects.filter(course=course, is_active=True, lesson__is_active=True)
    for slug, title, lesson in quizzes.values_list("slug", "title", "lesson__slug"):
        page = reverse("courses:lesson", args=[course.slug, lesson]) + "#checkpoint"
        items[(kinds.QUIZ, slug)] = (title, page)
    exercises = Exercise.objects.filter(course=course, is_active=True)
    for slug, title in exercises.values_list("slug", "title"):
        page = reverse("grading:exercise", args=[course.slug, slug])
        items[(kinds.EXERCISE, slug)] = (title, page)
    return items


def _event_uid(cohort: Cohort, kind: str, slug: str, user) -> str:
    # Stable for one schedule entry and one person, so a calendar app updates the event
    # when the date moves; opaque, so the feed does not show ids.
    key = f"{cohort.uuid}:{kind}:{slug}:{user.pk}".encode()
    return f"{hashlib.sha256(key).hexdigest()[:32]}@descent"


def _event_description(kind: str, cohort: Cohort, deadline: Deadline) -> str:
    lines = [f"{KIND_LABELS[kind].capitalize()} in {cohort.name}; {policy_words(deadline)}."]
    if deadline.extended:
        original = when(deadline.original_due_at, deadline.tz) or "no due date"
        lines.append(f"Your date is extended (was {original}): {deadline.reason}")
    return "\n".join(lines)


def calendar_events(*, user) -> list[CalendarEvent]:
    """A due date per scheduled item of every course the user studies, with their own
    extensions: in each course, the cohort whose schedule applies to them (the one
    student_cohort picks, their first). Five queries per such cohort."""
    memberships = (
        Membership.objects.filter(user=user, role=Membership.Role.STUDENT)
        .select_related("cohort__course")
        .order_by("joined_at")
    )
    cohorts: dict[int, Cohort] = {}
    for membership in memberships:
        cohorts.setdefault(membership.cohort.course_id, membership.cohort)
    events = []
    for cohort in cohorts.values():
        deadlines = schedule.deadlines_for(cohort=cohort, user=user)
        due = {key: d for key, d in deadlines.items() if d.due_at is not None}
        if not due:
            continue
        items = _course_items(cohort.course)
        for (kind, slug), deadline in due.items():
            if (kind, slug) not in items:
                continue  # an item no longer in the course
            title, page = items[(kind, slug)]
            events.append(
                CalendarEvent(
                    uid=_event_uid(cohort, kind, slug, user),
                    summary=f"Due: {title} ({cohort.course.title})",
                    due_at=deadline.due_at,
                    path=page,
                    description=_event_description(kind, cohort, deadline),
                )
            )
    return sorted(events, key=lambda event: (event.due_at, event.summary))
