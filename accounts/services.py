import hashlib
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from rest_framework.authtoken.models import Token

from .models import ThrottledRequest


def user_token_get(*, user) -> Token:
    token, _ = Token.objects.get_or_create(user=user)
    return token


def user_token_regenerate(*, user) -> Token:
    """The old token stops working at once, for every script that used it."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def email_digest(email: str) -> str:
    """A throttle key for an inbox that does not store the address itself."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def throttled_request_admit(*, action: str, key: str, rate: tuple[int, int]) -> datetime | None:
    """Count one `action` by `key` against `rate` (count, seconds).

    None when it is within the rate; otherwise the time the next one will be, and this
    one is not counted (a client that keeps knocking does not push its own wait out).
    The row goes in before the count, so of simultaneous requests at the edge at most
    `count` pass."""
    count, seconds = rate
    now = timezone.now()
    window_start = now - timedelta(seconds=seconds)
    ThrottledRequest.objects.filter(action=action, at__lt=window_start).delete()
    mine = ThrottledRequest.objects.create(action=action, key=key, at=now)
    recent = ThrottledRequest.objects.filter(action=action, key=key, at__gte=window_start)
    if recent.count() <= count:
        return None
    mine.delete()
    oldest = recent.order_by("at").values_list("at", flat=True).first() or now
    return oldest + timedelta(seconds=seconds)


def signup_duplicate_email_notify(*, new_user, login_url: str, reset_url: str) -> int:
    """Tell the owners of other accounts with the new account's e-mail that it was used.

    Sign-up does not refuse an e-mail already in use (the refusal would tell anyone which
    addresses have accounts here), so this message is how a person who forgot their
    account learns of it, and how an owner learns that someone else typed their address.
    At most one such message per inbox an hour. Returns the number of messages sent."""
    owners = list(
        get_user_model()
        .objects.filter(email__iexact=new_user.email, is_active=True)
        .exclude(pk=new_user.pk)
        .order_by("date_joined")
    )
    if not owners:
        return 0
    if throttled_request_admit(
        action="signup-notice", key=email_digest(new_user.email), rate=(1, 3600)
    ):
        return 0
    body = render_to_string(
        "accounts/email_in_use.txt",
        {"new_user": new_user, "owners": owners, "login_url": login_url, "reset_url": reset_url},
    )
    send_mail("Your e-mail address was used to sign up to Descent", body, None, [new_user.email])
    return 1
