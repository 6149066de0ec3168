"""Course content as loaded from files. The files in git stay the source of truth:
rows carry the slug they were imported under, so re-importing updates them in place and
never touches student progress that points at them."""

import hashlib
import math
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone

from . import quizzes
from .expressions import Expression
from .quizzes import Feedback
from .rendering import render_markdown


class Course(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    prerequisites = models.JSONField(default=list, blank=True)
    source_path = models.CharField(
        max_length=500, blank=True, help_text="Directory the course was imported from."
    )
    content_hash = models.CharField(max_length=64, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    # Who may author this course: preview its drafts, publish, edit its files from the
    # browser. Set by the authoring app from the course's git source (staff may always).
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="authored_courses"
    )
    # A draft version imported under its own slug so its authors can walk through it as a
    # student would: never listed, never in a cohort, visible to its authors only.
    is_preview = models.BooleanField(default=False)
    preview_label = models.CharField(max_length=200, blank=True)
    preview_back_url = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def from_files(self) -> bool:
        return bool(self.source_path)

    def may_author(self, user) -> bool:
        if not user.is_authenticated:
            return False
        return user.is_staff or self.authors.filter(pk=user.pk).exists()

    def may_view(self, user) -> bool:
        """A published course is public; a preview only for its authors and staff."""
        return not self.is_preview or self.may_author(user)


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    position = models.PositiveIntegerField()
    minutes = models.PositiveIntegerField(default=10)
    think_prompt = models.TextField(blank=True)
    widget = models.CharField(max_length=60, blank=True)
    body_markdown = models.TextField()
    body_html = models.TextField()
    source_file = models.CharField(max_length=300, blank=True)
    # False once a lesson has been removed from the files: kept so progress survives.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="lesson_unique_slug_per_course")
        ]

    def __str__(self) -> str:
        return self.title


class GlossaryTerm(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="glossary")
    slug = models.SlugField()
    term = models.CharField(max_length=100)
    definition = models.TextField()
    why = models.TextField(blank=True)
    myth = models.TextField(blank=True)
    reality = models.TextField(blank=True)
    # A formula in LaTeX, typeset by KaTeX like lesson math, and its anatomy: the
    # formula's symbols explained one by one, [{"symbol": LaTeX, "meaning": text}].
    formula = models.TextField(blank=True)
    anatomy = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["course", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "slug"], name="glossary_unique_slug_per_course"
            )
        ]

    def __str__(self) -> str:
        return self.term


class Quiz(models.Model):
    """A lesson's checkpoint. The lesson counts as complete once this is passed."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="quizzes")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="quizzes")
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    pass_threshold = models.FloatField(
        default=0.8, help_text="Share of the questions that must be right to pass."
    )
    source_file = models.CharField(max_length=300, blank=True)
    # False once the quiz has been removed from the files: kept so attempts survive.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["course", "lesson__position"]
        verbose_name_plural = "quizzes"
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="quiz_unique_slug_per_course")
        ]

    def __str__(self) -> str:
        return self.title

    def grade(self, answers: dict, seed) -> "QuizResult":
        """Grade answers keyed by question slug; an unanswered question counts as wrong."""
        questions = list(self.questions.filter(is_active=True))
        results = {}
        for question in questions:
            if question.slug in answers:
                results[question.slug] = question.grade(answers[question.slug], seed)
            else:
                results[question.slug] = (False, Feedback("Not answered."))
        right = sum(1 for correct, _ in results.values() if correct)
        score = right / len(questions) if questions else 0.0
        # Compared in whole questions, so 0.8 of 10 needs 8 right despite float rounding.
        passed = bool(questions) and right >= math.ceil(self.pass_threshold * len(questions) - 1e-9)
        return QuizResult(score=score, passed=passed, right=right, results=results)

    def is_passed_by(self, answers: dict, seed) -> bool:
        return self.grade(answers, seed).passed


@dataclass
class QuizResult:
    score: float
    passed: bool
    right: int
    results: dict  # question slug -> (correct, Feedback)


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "single choice"
        MULTIPLE = "multiple", "multiple select"
        NUMERIC = "numeric", "numeric"
        ORDERING = "ordering", "ordering"
        PARAM_NUMERIC = "param_numeric", "parameterized numeric"

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    slug = models.SlugField(help_text="The question's id in the quiz file; stable.")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    prompt_markdown = models.TextField()
    # For a parameterized question this is the template with {param} placeholders;
    # a student sees prompt_for(seed).
    prompt_html = models.TextField()
    explanation_markdown = models.TextField(blank=True)
    # What the kind needs, as checked by courses.quizzes: choices (text, correct,
    # explanation), or answer + tolerance, or the items in their correct order, or params
    # + answer expression + tolerance.
    spec = models.JSONField(default=dict)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["quiz", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "slug"], name="question_unique_slug_per_quiz")
        ]

    def __str__(self) -> str:
        return f"{self.quiz.slug}/{self.slug}"

    @property
    def is_parameterized(self) -> bool:
        return self.kind == self.Kind.PARAM_NUMERIC

    def values_for(self, seed) -> dict:
        """The drawn params for this seed, plus the answer computed from them."""
        if not self.is_parameterized:
            return {}
        if seed is None:
            raise ValueError("a parameterized question needs the student's seed")
        values = quizzes.draw_values(self.spec, f"{seed}:{self.quiz.slug}:{self.slug}")
        answer = Expression(self.spec["answer"], self.spec["params"]).evaluate(values)
        return {**values, "answer": answer}

    def prompt_for(self, seed=None) -> str:
        if not self.is_parameterized:
            return self.prompt_html
        values = self.values_for(seed)
        values.pop("answer")
        return render_markdown(quizzes.fill_placeholders(self.prompt_markdown, values)).html

    def answer_for(self, seed=None) -> float | None:
        if self.kind == self.Kind.NUMERIC:
            return self.spec["answer"]
        if self.is_parameterized:
            return self.values_for(seed)["answer"]
        return None

    def grade(self, answer, seed=None) -> tuple[bool, "Feedback"]:
        """Grade one answer: a choice index (single), a list of indices (multiple), a
        number (numeric kinds), or the items' indices in the student's order (ordering,
        indices into the correct order the file gives)."""
        if self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE):
            return quizzes.grade_choices(self.spec, self.kind, answer)
        if self.kind == self.Kind.ORDERING:
            return quizzes.grade_ordering(self.spec, answer, self.explanation_markdown)
        if self.kind == self.Kind.NUMERIC:
            return quizzes.grade_number(
                self.spec["answer"], self.spec["tolerance"], answer, self.explanation_markdown
            )
        values = self.values_for(seed)
        explanation = quizzes.fill_placeholders(self.explanation_markdown, values)
        return quizzes.grade_number(values["answer"], self.spec["tolerance"], answer, explanation)


class Exercise(models.Model):
    """What a page may show of a coding exercise. The reference solution, the checks and
    the known-mistake code stay in the files (``source_dir``), which the grader reads
    through judge.exercise; none of it is copied here."""

    class Kind(models.TextChoices):
        FUNCTION = "function", "function"
        CLASS = "class", "class"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="exercises")
    lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="exercises"
    )
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0, help_text="Order within its lesson.")
    entry = models.CharField(max_length=100, help_text="The function or class to define.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FUNCTION)
    signature = models.CharField(max_length=300)
    statement_markdown = models.TextField()
    statement_html = models.TextField()
    starter_code = models.TextField()
    points = models.FloatField(default=10)
    time_limit_s = models.FloatField(default=5)
    memory_limit_mb = models.PositiveIntegerField(default=256)
    hints = models.JSONField(default=list, blank=True)
    # [{"slug", "title"}] of each known mistake, in the file's order, so the instructor's
    # pages can name them without reading course code. The variants' code and targeted
    # hints stay in the files: the grader shows a hint when a submission behaves like one.
    known_mistakes = models.JSONField(default=list, blank=True)
    source_dir = models.CharField(max_length=300, help_text="Folder inside the course directory.")
    content_hash = models.CharField(
        max_length=64,
        blank=True,
        help_text="Hash of the folder when it last passed its self-check.",
    )
    # False once the exercise has been removed from the files: kept so submissions survive.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["course", "lesson__position", "position", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "slug"], name="exercise_unique_slug_per_course"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def directory(self) -> Path:
        return Path(self.course.source_path) / self.source_dir

    @property
    def mistake_titles(self) -> dict[str, str]:
        return {m["slug"]: m["title"] for m in self.known_mistakes}


# Cohorts and progress ----------------------------------------------------------------
#
# Everything below belongs to people, not to the files: a re-import never touches these
# rows (lessons and quizzes removed from the files are deactivated, not deleted).

# No 0/O or 1/I/L: a code is read aloud in class and typed from a projector. 31 symbols
# to the 10th power is about 8e14 codes: a guessed code almost never exists.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 10


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def new_quiz_seed() -> str:
    return secrets.token_hex(16)


class CohortQuerySet(models.QuerySet):
    def managed_by(self, user):
        """Cohorts the user may manage: their own as instructor; staff manage all."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(
            memberships__user=user, memberships__role=Membership.Role.INSTRUCTOR
        ).distinct()

    def assisted_by(self, user):
        """Cohorts whose pages the user may see as their staff: instructor or assistant."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(
            memberships__user=user,
            memberships__role__in=[Membership.Role.INSTRUCTOR, Membership.Role.ASSISTANT],
        ).distinct()


class Cohort(models.Model):
    """A group taking a course together. Any signed-in user may create one and becomes
    its instructor; roles are per cohort, so the same person can teach one cohort and
    study in another. Staff may manage every cohort."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(max_length=200)
    join_code = models.CharField(max_length=32, unique=True, default=new_join_code)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cohorts_created",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Dates are stored in UTC and shown in this zone (an IANA name, checked on save).
    time_zone = models.CharField(max_length=64, default="UTC")

    class ScorePolicy(models.TextChoices):
        """Which of a student's attempts at an item is the one that counts (its score
        times the late factor it was made with). Read when a score is shown or sent, never
        copied per student: a change holds at once everywhere."""

        BEST = "best", "best attempt"
        LATEST = "latest", "latest attempt"

    score_policy = models.CharField(
        max_length=10, choices=ScorePolicy.choices, default=ScorePolicy.BEST
    )

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.course.slug})"

    def role_of(self, user) -> str | None:
        """The user's role here; asked once per user of this (per-request) instance, since
        a page and its cohort bar both ask."""
        if not user.is_authenticated:
            return None
        roles = self.__dict__.setdefault("_roles", {})
        if user.pk not in roles:
            membership = self.memberships.filter(user=user).first()
            roles[user.pk] = membership.role if membership else None
        return roles[user.pk]

    def can_manage(self, user) -> bool:
        if not user.is_authenticated:
            return False
        return user.is_staff or self.role_of(user) == Membership.Role.INSTRUCTOR

    def can_assist(self, user) -> bool:
        """The cohort's staff: its instructors, its teaching assistants, and site staff."""
        if not user.is_authenticated:
            return False
        return user.is_staff or self.role_of(user) in (
            Membership.Role.INSTRUCTOR,
            Membership.Role.ASSISTANT,
        )


class Membership(models.Model):
    class Role(models.TextChoices):
        STUDENT = "student", "student"
        # A teaching assistant: sees the cohort's pages, comments and grants extensions;
        # does not change the schedule or delete anything.
        ASSISTANT = "assistant", "teaching assistant"
        INSTRUCTOR = "instructor", "instructor"

    # The roles that make someone one of a cohort's teaching staff.
    TEACHING_ROLES = (Role.INSTRUCTOR, Role.ASSISTANT)

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STUDENT)
    joined_at = models.DateTimeField(default=timezone.now)
    # A student taken off the roster: their work is kept, they leave the cohort's pages.
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cohort", "role", "joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="membership_unique_per_cohort")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.cohort.name} ({self.role})"


class LessonProgress(models.Model):
    """One student's state in one lesson: the think-before-reading answer, where they
    stopped reading, and whether the checkpoint is passed."""

    class State(models.TextChoices):
        NOT_STARTED = "not_started", "not started"
        READING = "reading", "reading"
        PASSED = "passed", "checkpoint passed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    state = models.CharField(max_length=20, choices=State.choices, default=State.NOT_STARTED)
    think_answer = models.TextField(blank=True)
    think_answered_at = models.DateTimeField(null=True, blank=True)
    think_skipped = models.BooleanField(default=False)
    # Share of the lesson body scrolled past, 0 at the top and 1 at the end.
    reading_position = models.FloatField(default=0.0)
    # The seed the student's next checkpoint attempt is drawn from; replaced after each
    # attempt so a retry shows new numbers. It never leaves the server.
    quiz_seed = models.CharField(max_length=64, default=new_quiz_seed)
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    passed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "lesson progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="progress_unique_per_lesson"),
            models.CheckConstraint(
                condition=models.Q(reading_position__gte=0.0, reading_position__lte=1.0),
                name="progress_reading_position_0_to_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.lesson.slug} ({self.state})"

    @property
    def think_done(self) -> bool:
        """The lesson body opens once the prompt is answered or deliberately skipped."""
        return self.think_answered_at is not None or self.think_skipped

    @property
    def is_passed(self) -> bool:
        return self.state == self.State.PASSED

    @property
    def quiz_token(self) -> str:
        """Names the pending attempt in the form without revealing its seed, so a form
        rendered before the last attempt can be recognised as stale."""
        return hashlib.sha256(f"attempt:{self.quiz_seed}".encode()).hexdigest()[:16]


class QuizAttempt(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    seed = models.CharField(max_length=64)
    answers = models.JSONField(default=dict)
    score = models.FloatField()
    passed = models.BooleanField()
    # Per question slug: correct, message, explanation, expected, choices (see Feedback).
    results = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Set from the cohort's schedule when the attempt is made (courses.schedule): how
    # late it was, and the share of its score that counts (1.0 on time).
    late_by_s = models.PositiveIntegerField(default=0)
    score_factor = models.FloatField(default=1.0)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One attempt per drawn seed: resubmitting an old form cannot replay numbers
            # whose answers the earlier attempt's feedback revealed.
            models.UniqueConstraint(fields=["user", "quiz", "seed"], name="attempt_unique_seed")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.quiz.slug} {self.score:.0%}"


# The schedule ----------------------------------------------------------------------------
#
# Per cohort, an item of the course (a lesson's reading, a checkpoint, an exercise, named
# by kind and slug, as progress matches items) may have an open date, a due date and a
# late policy; an extension moves one student's (or the whole cohort's) due date. The
# rules are in courses/schedule.py.


class ScheduleEntry(models.Model):
    class Kind(models.TextChoices):
        LESSON = "lesson", "lesson"
        QUIZ = "quiz", "checkpoint"
        EXERCISE = "exercise", "exercise"

    class Policy(models.TextChoices):
        PENALTY = "penalty", "accept late with a penalty"
        ACCEPT = "accept", "accept late without penalty"
        CLOSE = "close", "close at the due date"

    class Unit(models.TextChoices):
        DAY = "day", "per day"
        HOUR = "hour", "per hour"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="schedule")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    slug = models.SlugField()
    opens_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    policy = models.CharField(max_length=10, choices=Policy.choices, default=Policy.PENALTY)
    # With the penalty policy: this many percent of the score per started unit late,
    # never below the floor (percent of the score kept).
    penalty_percent = models.FloatField(default=10.0)
    penalty_unit = models.CharField(max_length=5, choices=Unit.choices, default=Unit.DAY)
    floor_percent = models.FloatField(default=50.0)
    # Exam style: until the (student's) due date a student sees that a submission was
    # received and the checks' names, not its results.
    hide_scores = models.BooleanField(default=False)

    class Meta:
        ordering = ["cohort", "due_at", "kind", "slug"]
        verbose_name_plural = "schedule entries"
        constraints = [
            models.UniqueConstraint(fields=["cohort", "kind", "slug"], name="schedule_once"),
            models.CheckConstraint(
                condition=models.Q(penalty_percent__gte=0, penalty_percent__lte=100)
                & models.Q(floor_percent__gte=0, floor_percent__lte=100),
                name="schedule_percentages",
            ),
            models.CheckConstraint(
                condition=models.Q(opens_at__isnull=True)
                | models.Q(due_at__isnull=True)
                | models.Q(opens_at__lt=models.F("due_at")),
                name="schedule_opens_before_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.slug} in {self.cohort}"


class Extension(models.Model):
    """A later due date for one student (``user``) or for the whole cohort (no user)."""

    entry = models.ForeignKey(ScheduleEntry, on_delete=models.CASCADE, related_name="extensions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="extensions",
    )
    due_at = models.DateTimeField()
    reason = models.CharField(max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["entry", "user"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "user"], name="extension_once"),
            models.UniqueConstraint(
                fields=["entry"],
                condition=models.Q(user__isnull=True),
                name="cohort_extension_once",
            ),
        ]

    def __str__(self) -> str:
        return f"extension of {self.entry} for {self.user or 'everyone'}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A student's personal calendar (.ics) of due dates: the secret token in its URL is
    the only key, so it can be reset (the old URL stops working at once)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"calendar of {self.user}"


def new_invitation_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    """An e-mailed invitation to join a cohort: its link carries the token. Accepting it
    (signed in, under any address) makes the membership; an address that already has an
    account is linked at once instead."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(
        max_length=20, choices=Membership.Role.choices, default=Membership.Role.STUDENT
    )
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When its e-mail last went out and how many times: "Resend" is rationed by these.
    sent_at = models.DateTimeField(default=timezone.now)
    sends = models.PositiveSmallIntegerField(default=1)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )

    class Meta:
        ordering = ["cohort", "email"]
        constraints = [models.UniqueConstraint(fields=["cohort", "email"], name="invitation_once")]

    def __str__(self) -> str:
        return f"invitation of {self.email} to {self.cohort}"


ANNOUNCEMENT_TITLE_MAX_CHARS = 200
ANNOUNCEMENT_BODY_MAX_CHARS = 10_000


class Announcement(models.Model):
    """A message from a cohort's instructors to its students: shown on the course home
    until each student dismisses it, and e-mailed when the instructor asks. The mailing
    (courses/announcements.py) is claimed by one worker at a time (``mail_started_at``),
    records each student it reached (AnnouncementDelivery), so a retry or a redelivered
    task carries on where the last stopped, and ends with ``emailed_at``."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="announcements")
    title = models.CharField(max_length=ANNOUNCEMENT_TITLE_MAX_CHARS)
    body = models.TextField(max_length=ANNOUNCEMENT_BODY_MAX_CHARS)
    # Rendered (and sanitised) once, when it is posted: every course home shows it.
    body_html = models.TextField(editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    email_requested = models.BooleanField(default=False)
    mail_started_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    emailed_count = models.PositiveIntegerField(default=0)
    # Why the last mailing stopped or which addresses the server refused ("" when none).
    mail_problem = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["cohort", "created_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.cohort})"


class AnnouncementDismissal(models.Model):
    """A student has read an announcement and put it away: it leaves their course home."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="dismissals"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dismissed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="dismissal_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} dismissed {self.announcement}"


class AnnouncementDelivery(models.Model):
    """An announcement's e-mail reached the mail server for this student: never twice."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="deliveries"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "user"], name="announcement_delivery_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.announcement} mailed to {self.user}"
