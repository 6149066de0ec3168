"""What LTI adds to django-lti's models: the cohort an LMS context opens, and the launch
nonces already spent."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from lti_tool.models import LtiContext

from courses.models import Cohort


class CohortLink(models.Model):
    """An LMS course (context) is this cohort on Descent: launches from it sign people
    into the cohort."""

    context = models.OneToOneField(LtiContext, on_delete=models.CASCADE, related_name="cohort_link")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="lti_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

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
