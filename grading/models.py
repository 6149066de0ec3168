"""Submissions and drafts: the student's side of grading.

A Submission row is the unit of work. It is committed before its task is queued (on
commit), the task receives only its id, and every change of state is a conditional
update, so a redelivered task, a second worker or the reaper can never grade it twice:

    queued --claim--> running --finish--> done
       ^                 |
       +-----reaper------+   (heartbeat older than GRADING_STALE_S, or queued too long)

    queued or running --block--> blocked   (the exercise's files cannot be graded;
                                            terminal until an instructor requeues them)

A verdict may arrive before its feedback is complete: a failing check reports its random
failing case at once and `refining` stays set while a background task (on the feedback
queue) looks for the smallest failing input and writes it into `result`. Refinement only
ever changes failing inputs and their messages, never the verdict or the score.

A student's fault (wrong answer, exception, timeout) is a verdict and ends in `done`;
an infrastructure fault (sandbox unavailable, worker killed) leaves the row to be
retried or re-queued, never to a verdict of the student's. An exercise whose files do not
load is neither: its submissions end in `blocked`, with no verdict and no attempt counted
against the student, and wait there for the instructor (a reaper pass never republishes
them).
"""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from judge.verdicts import Verdict


def source_digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


class SubmissionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Students see their own submissions only; staff see everything. (Instructors see
        their cohorts' submissions through the instructor pages' own selectors.)"""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(student=user)

    def graded(self):
        return self.filter(state=Submission.State.DONE)

    def with_override(self):
        """Each row's latest score override as ``override_score`` (None without one), so
        ``effective_score`` needs no query per row."""
        return self.annotate(override_score=latest_override_score())


class Submission(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"
        BLOCKED = "blocked", "blocked"

    # The judge's verdicts (judge.verdicts), the one list.
    Verdict = Verdict
    # Where a submission stops moving: nothing changes without someone acting.
    SETTLED = (State.DONE, State.BLOCKED)
    BLOCKED_HEADLINE = "Waiting for the exercise to be fixed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    exercise = models.ForeignKey(
        "courses.Exercise", on_delete=models.CASCADE, related_name="submissions"
    )
    source = models.TextField()
    source_sha256 = models.CharField(max_length=64, db_index=True)
    # 1, 2, 3... per student and exercise, in the order they were made.
    attempt = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    verdict = models.CharField(max_length=20, choices=Verdict.choices(), blank=True)
    score = models.FloatField(null=True, blank=True)
    # What the student may see: message, per-check rows (name, passed, points, earned,
    # message, failing_input, shrunk, mistake, mistake_hint, figure), captured output,
    # timings. Never the reference, the checks' code or hidden expected values.
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # From the cohort's schedule when it was made (courses.schedule): how late it was,
    # and the share of its score that counts (1.0 on time). A regrade keeps both.
    late_by_s = models.PositiveIntegerField(default=0)
    score_factor = models.FloatField(default=1.0)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # How many times a worker claimed it (more than 1 only after a worker died or the
    # infrastructure failed mid-grading), and the last infrastructure error.
    claims = models.PositiveIntegerField(default=0)
    # Times the reaper took it back from a worker that stopped answering mid-grading.
    revivals = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True)
    infra_error = models.TextField(blank=True)
    # Done, and a smaller failing input is still being looked for (see the top).
    refining = models.BooleanField(default=False)
    # Deliveries of the refinement that began work. A refinement whose worker dies (an
    # answer built to exhaust the trusted side's memory) is redelivered by acks_late;
    # counting here, in the row, is what lets it give up after a few.
    refine_attempts = models.PositiveSmallIntegerField(default=0)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "exercise", "attempt"], name="submission_unique_attempt"
            )
        ]
        indexes = [
            models.Index(fields=["student", "exercise", "created_at"]),
            models.Index(fields=["state", "heartbeat_at"]),
            # The status page's and /metrics' window of recent verdicts (grading/status.py).
            models.Index(fields=["state", "finished_at"], name="submission_state_finished"),
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.exercise.slug} #{self.attempt} ({self.state})"

    @property
    def is_done(self) -> bool:
        return self.state == self.State.DONE

    @property
    def passed(self) -> bool:
        return self.verdict == Verdict.PASSED

    @property
    def is_blocked(self) -> bool:
        return self.state == self.State.BLOCKED

    @property
    def is_settled(self) -> bool:
        return self.state in self.SETTLED

    @property
    def effective_score(self) -> float | None:
        """The score that stands: the latest override's (grading/feedback.py), else the
        checks'. A late attempt's factor applies to it as to the graded score."""
        if hasattr(self, "override_score"):  # annotated by with_override()
            override = self.override_score
        else:
            latest = self.score_overrides.order_by("-created_at", "-pk")
            override = latest.values_list("score", flat=True).first()
        return self.score if override is None else override

    @property
    def headline(self) -> str:
        """What a student reads above the result: the verdict in words, or why there is
        none; empty while it waits for a grader."""
        if self.is_blocked:
            return self.BLOCKED_HEADLINE
        return Verdict(self.verdict).headline if self.verdict else ""


class Draft(models.Model):
    """The editor's content, saved as the student types; one per student and exercise."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts"
    )
    exercise = models.ForeignKey(
        "courses.Exercise", on_delete=models.CASCADE, related_name="drafts"
    )
    source = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["student", "exercise"], name="draft_unique")]

    def __str__(self) -> str:
        return f"draft of {self.student} for {self.exercise.slug}"


class RegradeJob(models.Model):
    """Re-running every graded submission of one exercise (in one cohort, or everywhere)
    after its checks changed. Background work on the "regrade" queue, split into chunks
    (grading/regrade.py); the counters are raised atomically as chunks progress, so the
    progress bar reads them straight from this row.

    A submission regraded by this job carries ``result["regrade"]["job"] == id``: a chunk
    that runs twice (redelivered, retried after a fault) skips it and counts it once.
    ``chunks_done`` lists the finished chunks' indices, for the same reason."""

    class State(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    ACTIVE = (State.QUEUED, State.RUNNING)

    exercise = models.ForeignKey(
        "courses.Exercise", on_delete=models.CASCADE, related_name="regrade_jobs"
    )
    # Null: every submission of the exercise, whichever cohort (staff only).
    cohort = models.ForeignKey(
        "courses.Cohort",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="regrade_jobs",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="regrade_jobs",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # Submissions whose score is different after the regrade.
    changed = models.PositiveIntegerField(default=0)
    # Submissions that could not be regraded (the infrastructure kept failing); they keep
    # their earlier verdict.
    errors = models.PositiveIntegerField(default=0)
    chunks = models.PositiveIntegerField(default=0)
    chunks_done = models.JSONField(default=list, blank=True)
    checks_version = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Moves with every regraded submission: a job that stops moving is taken as dead.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One regrade at a time per exercise, enforced by the database: two clicks (or
            # two instructors) at once cannot both start one.
            models.UniqueConstraint(
                fields=["exercise"],
                condition=models.Q(state__in=["queued", "running"]),
                name="regrade_one_active_per_exercise",
            )
        ]

    def __str__(self) -> str:
        scope = self.cohort.name if self.cohort_id else "all cohorts"
        return f"regrade of {self.exercise.slug} ({scope}) {self.state} {self.done}/{self.total}"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE

    @property
    def progress(self) -> dict:
        return {
            "state": self.state,
            "total": self.total,
            "done": self.done,
            "changed": self.changed,
            "errors": self.errors,
        }


# Feedback on code ------------------------------------------------------------------------
#
# A cohort's staff (instructors and teaching assistants) comment on a submission, on one
# line of its source or on the whole; the student replies; an instructor may override its
# score (every override a new row, the latest stands); a student may ask for a regrade
# review. The rules are in grading/feedback.py.

COMMENT_MAX_CHARS = 5000
REASON_MAX_CHARS = 1000
REQUEST_MAX_CHARS = 2000
NOTIFICATION_MAX_CHARS = 300


class SubmissionComment(models.Model):
    """A comment on a submission: by its staff, or by its student (a reply)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submission_comments"
    )
    # 1-based line of the submission's source; null for the whole submission.
    line = models.PositiveIntegerField(null=True, blank=True)
    body = models.TextField(max_length=COMMENT_MAX_CHARS)
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["submission", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(line__isnull=True) | models.Q(line__gte=1),
                name="comment_line_positive",
            )
        ]

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "the whole submission"
        return f"comment by {self.author} on {where} of {self.submission}"

    @property
    def is_reply(self) -> bool:
        """Written by the submission's own student."""
        return self.author_id == self.submission.student_id


class ScoreOverride(models.Model):
    """An instructor's score for a submission, replacing the one its checks gave. An audit
    trail: a change is a new row, the latest counts, and none is ever edited."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="score_overrides"
    )
    score = models.FloatField()
    reason = models.TextField(max_length=REASON_MAX_CHARS)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["submission", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0.0, score__lte=1.0), name="override_score_0_to_1"
            )
        ]

    def __str__(self) -> str:
        return f"override of {self.submission} to {self.score:.0%}"


def has_override():
    """A condition: staff changed this submission's score (for OuterRef("pk"))."""
    return models.Exists(ScoreOverride.objects.filter(submission=models.OuterRef("pk")))


def latest_override_score():
    """A subquery: the score of a submission's latest override (for OuterRef("pk"))."""
    return models.Subquery(
        ScoreOverride.objects.filter(submission=models.OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("score")[:1]
    )


class RegradeRequest(models.Model):
    """A student's request that the cohort's staff review how a submission was graded."""

    class State(models.TextChoices):
        OPEN = "open", "open"
        RESOLVED = "resolved", "resolved"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="regrade_requests"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="regrade_requests"
    )
    message = models.TextField(max_length=REQUEST_MAX_CHARS)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open request per submission, held by the database: a double click or two
            # tabs cannot open two.
            models.UniqueConstraint(
                fields=["submission"],
                condition=models.Q(state="open"),
                name="regrade_request_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"regrade review of {self.submission} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class Notification(models.Model):
    """A line on a user's notifications page, linking to what it is about."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(max_length=NOTIFICATION_MAX_CHARS)
    # A path on this site.
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at", "created_at"])]

    def __str__(self) -> str:
        return f"to {self.user}: {self.text}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def failed_attempt() -> models.Q:
    """A condition: a graded submission that counts as a failed attempt (what unlocks
    hints and flags a student as struggling). Not a pass, and not ``invalid``: code the
    checks could not run (a syntax error, a missing function, a wrong number of
    parameters) is a slip of form, not a wrong answer."""
    return models.Q(state=Submission.State.DONE) & ~models.Q(
        verdict__in=[Submission.Verdict.PASSED, Submission.Verdict.INVALID]
    )


# Standings: what the cohort pages read instead of every submission and attempt.
#
# One row per (student, item) the student has touched, and one per (student, course),
# each recomputed from the rows it sums whenever one of them changes
# (grading/standings.py) and rebuilt wholesale by `manage.py rebuild_standings`. They
# hold only facts that do not depend on a cohort's settings (attempts, passes, failures,
# times, what the checks said), so one row serves every cohort the student is in; what
# a cohort's score policy and schedule make of a score is still read from the
# submissions, for one page of students at a time.


class ExerciseStanding(models.Model):
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    exercise = models.ForeignKey("courses.Exercise", on_delete=models.CASCADE, related_name="+")
    attempts = models.PositiveIntegerField(default=0)  # not blocked
    graded = models.PositiveIntegerField(default=0)  # done
    failed = models.PositiveIntegerField(default=0)  # failed_attempt()
    passes = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField(null=True)  # first attempt (not blocked)
    last_at = models.DateTimeField(null=True)  # latest submission of any kind
    pass_attempt = models.PositiveIntegerField(null=True)  # the first passing attempt's number
    passed_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "exercise"], name="exercise_standing_unique")
        ]
        indexes = [models.Index(fields=["exercise", "passes"])]

    def __str__(self) -> str:
        return f"{self.student_id} on exercise {self.exercise_id}: {self.passes} passes"


class QuizStanding(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    quiz = models.ForeignKey("courses.Quiz", on_delete=models.CASCADE, related_name="+")
    attempts = models.PositiveIntegerField(default=0)
    passes = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "quiz"], name="quiz_standing_unique")
        ]
        indexes = [models.Index(fields=["quiz", "passes"])]

    def __str__(self) -> str:
        return f"{self.user_id} on checkpoint {self.quiz_id}: {self.passes} passes"


class CourseStanding(models.Model):
    """Items done in the course's active path (lessons passed, checkpoints and exercises
    passed at least once), the latest activity and the exercises the student is stuck
    on: what the dashboard sorts and filters a cohort by, in SQL."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_standings"
    )
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    done = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(null=True)
    # Active exercises with FAILED_ATTEMPTS_STRUGGLING or more failed attempts and no pass.
    stuck = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="course_standing_unique")
        ]
        indexes = [
            models.Index(fields=["course", "done"]),
            models.Index(fields=["course", "last_activity_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in course {self.course_id}: {self.done} done"


# A student is struggling on an exercise after this many graded, failed submissions
# without a pass (teaching/rules.py says so on the instructor's pages).
FAILED_ATTEMPTS_STRUGGLING = 5

TALLY_LABEL_CHARS = 200


class Tally(models.Model):
    """A count for one student and one item under one label: how often a check ran and
    failed, a known mistake or a diagnosis was seen, a question was asked and answered
    right, a wrong choice was picked (grading/standings.py says which kinds)."""

    kind = models.CharField(max_length=16)
    label = models.CharField(max_length=TALLY_LABEL_CHARS)
    runs = models.PositiveIntegerField(default=0)
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.kind} {self.label}: {self.hits}/{self.runs}"


class ExerciseTally(Tally):
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    exercise = models.ForeignKey("courses.Exercise", on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["exercise", "kind"])]
        constraints = [
            # One row per label: a verdict adds its counts to it (grading/standings.py
            # submission_graded); also the index for one student's rows of one exercise.
            models.UniqueConstraint(
                fields=["student", "exercise", "kind", "label"], name="exercise_tally_unique"
            )
        ]


class QuizTally(Tally):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    quiz = models.ForeignKey("courses.Quiz", on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["quiz", "kind"]), models.Index(fields=["user", "quiz"])]


class CohortActivity(models.Model):
    """Submissions and checkpoint attempts by a cohort's students per hour (UTC): the
    dashboard's activity chart reads a month of these (720 rows at most) instead of the
    month's submissions. Counted when a submission or attempt is made by a current
    student of the cohort (grading/standings.py); rebuilt from the rows by
    `manage.py rebuild_standings`, which counts the current students only."""

    cohort = models.ForeignKey("courses.Cohort", on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()
    submissions = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cohort", "hour"], name="cohort_activity_unique")
        ]

    def __str__(self) -> str:
        return f"cohort {self.cohort_id} at {self.hour}: {self.submissions} + {self.attempts}"
