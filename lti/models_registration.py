"""A one-time link that lets an LMS register Descent by itself (LTI Dynamic Registration,
lti/registration.py). Staff make one in the admin and paste it into the LMS; the LMS
opens it once, and the registration it makes is recorded on the invite."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from lti_tool.models import LtiRegistration

INVITE_LIFETIME = timedelta(days=7)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def default_expiry():
    return timezone.now() + INVITE_LIFETIME


class RegistrationInviteQuerySet(models.QuerySet):
    def usable(self, now=None):
        return self.filter(used_at__isnull=True, expires_at__gt=now or timezone.now())


class RegistrationInvite(models.Model):
    """The link carries a random token; only its SHA-256 is kept, so a copy of the
    database (or a staff member reading the admin) cannot register an LMS with it, and
    the link is shown once, when it is made."""

    class State(models.TextChoices):
        WAITING = "waiting", "waiting"
        USED = "used", "used"
        EXPIRED = "expired", "expired"

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    note = models.CharField(
        max_length=200, blank=True, help_text="Which LMS this link is for, for your records."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(default=default_expiry)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)
    registration = models.ForeignKey(
        LtiRegistration, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        editable=False,
    )  # fmt: skip

    objects = RegistrationInviteQuerySet.as_manager()

    class Meta:
        verbose_name = "LTI registration link"

    def __str__(self) -> str:
        return self.note or f"Registration link of {self.created_at:%Y-%m-%d %H:%M}"

    def new_token(self) -> str:
        """Give the invite a fresh token and return it: the only time it is seen."""
        token = secrets.token_urlsafe(32)
        self.token_hash = token_digest(token)
        return token

    @classmethod
    def find(cls, token: str):
        """The invite this token opens, or None."""
        return cls.objects.filter(token_hash=token_digest(token)).first()

    def state(self, now=None) -> "RegistrationInvite.State":
        if self.used_at is not None:
            return self.State.USED
        if self.expires_at <= (now or timezone.now()):
            return self.State.EXPIRED
        return self.State.WAITING

    def clean(self):
        if self._state.adding and self.expires_at and self.expires_at <= timezone.now():
            raise ValidationError({"expires_at": "An unused link must expire in the future."})
