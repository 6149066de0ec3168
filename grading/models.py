"""Submissions and drafts: the student's side of grading.

A Submission row is the unit of work. It is committed before its task is queued (on
commit), the task receives only its id, and every change of state is a conditional
update, so a redelivered task, a second worker or the reaper can never grade it twice:

    queued --claim--> running --finish--> done
       ^                 |
       +-----reaper------+   (heartbeat older than GRADING_STALE_S, or queued too long)

A student's fault (wrong answer, exception, timeout) is a verdict and ends in `done`;
an infrastructure fault (sandbox unavailable, worker killed) leaves the row to be
retried or re-queued, never to a verdict of the student's.
"""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


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


class Submission(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"

    class Verdict(models.TextChoices):
        PASSED = "passed", "passed"
        FAILED = "failed", "failed"
        ERROR = "error", "error"
        TIMEOUT = "timeout", "timeout"
        MEMORY = "memory", "memory"
        OUTPUT_LIMIT = "output_limit", "output limit"
        INVALID = "invalid", "invalid"

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
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    score = models.FloatField(null=True, blank=True)
    # What the student may see: message, per-check rows (name, passed, points, earned,
    # message, failing_input, shrunk, mistake, mistake_hint, figure), captured output,
    # timings. Never the reference, the checks' code or hidden expected values.
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
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
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.exercise.slug} #{self.attempt} ({self.state})"

    @property
    def is_done(self) -> bool:
        return self.state == self.State.DONE

    @property
    def passed(self) -> bool:
        return self.verdict == self.Verdict.PASSED


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
