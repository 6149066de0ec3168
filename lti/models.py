"""What LTI adds to django-lti's models: the cohort an LMS context opens, and the launch
nonces already spent."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from lti_tool.models import LtiContext

from courses.models import Cohort

from .deep_linking import checkpoint_title


class CohortLink(models.Model):
    """An LMS course (context) is this cohort on Descent: launches from it sign people
    into the cohort."""

    context = models.OneToOneField(LtiContext, on_delete=models.CASCADE, related_name="cohort_link")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="lti_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The last roster sync (lti/roster.py): when, what it did, or why it could not.
    roster_synced_at = models.DateTimeField(null=True, blank=True)
    roster_report = models.CharField(max_length=500, blank=True)
    roster_error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.context} → {self.cohort}"


class UsedNonce(models.Model):
    """A launch's nonce, spent: the same id_token posted again is a replay. Rows older
    than the launch lifetime are deleted as new ones come."""

    issuer = models.CharField(max_length=255)
    nonce = models.CharField(max_length=255)
    used_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "nonce"], name="nonce_once")]

    def __str__(self) -> str:
        return f"{self.issuer} {self.nonce}"


class LineItemLink(models.Model):
    """A column of the LMS's gradebook (an AGS line item, by its URL) that the scores of
    an exercise or a checkpoint go to. Learnt from a launch that names the line item;
    or, when the launch names only the LMS course's line-item container, made by Descent
    on the first send (``url`` empty until then, found again by resource link)."""

    context = models.ForeignKey(LtiContext, on_delete=models.CASCADE, related_name="+")
    exercise = models.ForeignKey(
        "courses.Exercise", on_delete=models.CASCADE, related_name="lti_line_items",
        null=True, blank=True,
    )  # fmt: skip
    quiz = models.ForeignKey(
        "courses.Quiz", on_delete=models.CASCADE, related_name="lti_line_items",
        null=True, blank=True,
    )  # fmt: skip
    url = models.URLField(max_length=500, unique=True, null=True, blank=True)
    # For a line item Descent makes: where to make it, and the link it belongs to.
    container_url = models.URLField(max_length=500, blank=True)
    resource_link_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(exercise__isnull=False, quiz__isnull=True)
                | models.Q(exercise__isnull=True, quiz__isnull=False),
                name="line_item_one_item",
            ),
            models.CheckConstraint(
                condition=models.Q(url__isnull=False) | ~models.Q(container_url=""),
                name="line_item_somewhere",
            ),
            models.UniqueConstraint(
                fields=["context", "resource_link_id"],
                condition=models.Q(url__isnull=True),
                name="line_item_made_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} → {self.url or self.container_url}"

    @property
    def item(self):
        return self.exercise if self.exercise_id else self.quiz

    @property
    def item_key(self) -> str:
        """The item as deep linking names it (its line item's resource id)."""
        return f"exercise:{self.exercise.slug}" if self.exercise_id else f"quiz:{self.quiz.slug}"

    @property
    def item_title(self) -> str:
        """The item's title as deep linking labels its column."""
        return self.exercise.title if self.exercise_id else checkpoint_title(self.quiz.title)

    @property
    def maximum(self) -> float:
        """The score maximum the LMS is sent: an exercise's points, a checkpoint's 100
        (as deep linking declares them)."""
        return float(self.exercise.points) if self.exercise_id else 100.0


class ScoreSync(models.Model):
    """One student's score in one line item, kept in step with the LMS. Every change asks
    for a send (``wanted`` + 1); a send that succeeds records the ``wanted`` it read as
    ``sent``, so a change during the send asks again, and a send never repeats one that
    went. A failed send waits ``next_attempt_at`` (doubling, at most an hour)."""

    link = models.ForeignKey(LineItemLink, on_delete=models.CASCADE, related_name="syncs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    wanted = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    sent_score = models.FloatField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "user"], name="score_sync_once")]

    def __str__(self) -> str:
        return f"{self.user} in {self.link}"


from .models_registration import RegistrationInvite  # noqa: E402,F401
