"""A course's git source, the versions synced from it, the syncs themselves, webhook
deliveries and "Try it" runs. See authoring/__init__.py for how they fit together."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from courses.models import Course


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class CourseSource(models.Model):
    """Where a course's files live: a branch (and optionally a folder) of a git
    repository. The credentials are write-only: no page or log ever shows them."""

    name = models.CharField(max_length=200)
    repo_url = models.CharField(max_length=500)
    branch = models.CharField(max_length=200, default="main")
    subdirectory = models.CharField(max_length=300, blank=True)
    # An HTTPS token ("user:token" or just the token) or an SSH deploy key.
    token = models.CharField(max_length=500, blank=True)
    deploy_key = models.TextField(blank=True)
    # The webhook's URL names the source by this id; its secret checks the sender.
    hook_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    webhook_secret = models.CharField(max_length=100, default=new_webhook_secret)
    # The course students see, once a version has been published (one source per course).
    course = models.OneToOneField(
        Course, on_delete=models.SET_NULL, null=True, blank=True, related_name="git_source"
    )
    published = models.ForeignKey(
        "CourseVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="course_sources")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def may_author(self, user) -> bool:
        if not user.is_authenticated or not user.is_active:
            return False
        return user.is_staff or self.authors.filter(pk=user.pk).exists()

    @property
    def display_url(self) -> str:
        """The repository's address without any user:password part."""
        from .git import scrub

        return scrub(self.repo_url, [])


class CourseVersion(models.Model):
    """One commit of the source that validated: a draft until published. Its files are
    exported (read-only) to ``checkout``, which the grader reads once it is published or
    previewed; it is never changed, so publishing another version is a pointer switch."""

    source = models.ForeignKey(CourseSource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    sha = models.CharField(max_length=40)
    message = models.TextField(blank=True)
    commit_author = models.CharField(max_length=300, blank=True)
    checkout = models.CharField(max_length=500)
    course_slug = models.SlugField()
    course_title = models.CharField(max_length=200)
    # exercise slug -> fingerprint of its folder; all of them passed the self-check
    # (unless listed in ``unchecked``: the sandbox was unavailable when it synced).
    fingerprints = models.JSONField(default=dict)
    unchecked = models.JSONField(default=list)
    counts = models.JSONField(default=dict)  # lessons, quizzes, questions, exercises
    preview = models.OneToOneField(
        Course, on_delete=models.SET_NULL, null=True, blank=True, related_name="preview_of"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # What the last publish of this version changed (authoring.changes), for the record.
    publish_summary = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["source", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["source", "number"], name="version_number_unique"),
            models.UniqueConstraint(fields=["source", "sha"], name="version_sha_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source} v{self.number}"

    @property
    def short_sha(self) -> str:
        return self.sha[:7]

    @property
    def is_published(self) -> bool:
        return self.source.published_id == self.pk

    @property
    def status(self) -> str:
        if self.is_published:
            return "published"
        return "published before" if self.published_at else "draft"


class SyncRun(models.Model):
    """One sync: fetch, validate, self-check, and on success a draft version. One at a
    time per source (a partial unique constraint); its log is written as it goes."""

    class State(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"

    class Trigger(models.TextChoices):
        BUTTON = "button", "the Sync button"
        WEBHOOK = "webhook", "a push webhook"
        EDITOR = "editor", "a save in the editor"
        REGISTER = "register", "registration"

    ACTIVE = (State.QUEUED, State.RUNNING)

    source = models.ForeignKey(CourseSource, on_delete=models.CASCADE, related_name="syncs")
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sha = models.CharField(max_length=40, blank=True)
    version = models.ForeignKey(
        CourseVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="syncs"
    )
    log = models.TextField(blank=True)
    outcome = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source"],
                condition=Q(state__in=["queued", "running"]),
                name="one_active_sync_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"sync {self.pk} of {self.source} ({self.state})"

    @property
    def done(self) -> bool:
        return self.state not in self.ACTIVE


class WebhookDelivery(models.Model):
    """A push notification already acted on: the same delivery id is never acted on
    twice (a replayed request is answered, and ignored)."""

    source = models.ForeignKey(CourseSource, on_delete=models.CASCADE, related_name="deliveries")
    delivery = models.CharField(max_length=100)
    kind = models.CharField(max_length=20)  # github, gitlab
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "delivery"], name="delivery_once")]

    def __str__(self) -> str:
        return f"{self.kind} delivery {self.delivery}"


class TryRun(models.Model):
    """ "Try it" in the editor: the reference, the starter, each known mistake and any
    pasted code graded against one exercise of a version, in the sandbox. Records no
    submission."""

    class State(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    version = models.ForeignKey(CourseVersion, on_delete=models.CASCADE, related_name="tries")
    exercise = models.SlugField()
    code = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    runs = models.JSONField(default=list)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"try {self.pk} of {self.exercise} ({self.state})"
