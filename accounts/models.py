from django.db import models


class ThrottledRequest(models.Model):
    """One sign-up or password-reset request, counted against its sender's limit.

    Counted in the database rather than the cache so that simultaneous requests cannot
    slip past the limit between a read and a write (each request inserts its row first,
    then counts), and a lost Redis does not reset anyone's count. Rows older than the
    window are deleted as new ones arrive."""

    action = models.CharField(max_length=32)
    # The client address, or a digest of the e-mail address a message would go to.
    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["action", "key", "at"], name="throttle_action_key_at"),
            models.Index(fields=["action", "at"], name="throttle_action_at"),
        ]

    def __str__(self):
        return f"{self.action} {self.key} {self.at:%Y-%m-%d %H:%M:%S}"
