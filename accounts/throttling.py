"""Throttles on the doors an outsider can knock on.

Log-in: django-axes counts wrong passwords in the database and refuses a locked account
or address before checking any password; the handler below gives the address its own,
higher limit, and `lockout_response` is the page that says when to try again. Sign-up and
password-reset requests are counted per client address by
`services.throttled_request_admit`, and over the limit get the same kind of page.
"""

import ipaddress
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_lockout_parameters
from django.conf import settings
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone


def client_address(request) -> str:
    """The address a request came from.

    REMOTE_ADDR, or behind our TLS proxy (BEHIND_TLS_PROXY) the last X-Forwarded-For
    entry: the one the proxy appended. Earlier entries are whatever the client chose to
    send, and trusting them would let it pick a fresh address for every guess."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR", "")


def _limit_of(parameter) -> int:
    if parameter == ["ip_address"]:
        return settings.LOGIN_ADDRESS_FAILURE_LIMIT
    return settings.LOGIN_FAILURE_LIMIT


class AccountAndAddressLockout(AxesDatabaseHandler):
    """axes' database handler with one limit per lockout parameter.

    axes compares a single failure count with AXES_FAILURE_LIMIT (LOGIN_FAILURE_LIMIT).
    The address's count is scaled so that it reaches that number exactly when the
    address reaches LOGIN_ADDRESS_FAILURE_LIMIT: a class behind one NAT can make a few
    typos each without locking the others out."""

    def _counts(self, request, credentials):
        parameters = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)
        for parameter, rows in zip(parameters, attempts, strict=True):
            failures = rows.aggregate(n=Sum("failures_since_start"))["n"] or 0
            yield parameter, rows, failures

    def get_failures(self, request, credentials=None) -> int:
        limit = settings.LOGIN_FAILURE_LIMIT
        return max(
            (failures * limit // _limit_of(parameter) for parameter, _, failures in
             self._counts(request, credentials)),
            default=0,
        )  # fmt: skip

    def locked_until(self, request, credentials=None) -> datetime:
        """When every lock that holds now has expired: the cool-off after the latest
        failure counted by each of them."""
        latest = None
        for parameter, rows, failures in self._counts(request, credentials):
            if failures >= _limit_of(parameter):
                last = rows.aggregate(last=Max("attempt_time"))["last"]
                latest = max(filter(None, (latest, last)), default=None)
        return (latest or timezone.now()) + get_cool_off(request)


def try_later_response(request, *, retry_at: datetime, what: str):
    """429 with a page that names the time to come back, and Retry-After for scripts."""
    wait = max(1, int((retry_at - timezone.now()).total_seconds()))
    response = render(
        request,
        "accounts/try_later.html",
        {"retry_at": retry_at, "what": what, "wait_minutes": -(-wait // 60)},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the page a refused log-in gets instead of axes' bare 429."""
    handler = AxesProxyHandler.get_implementation()
    retry_at = handler.locked_until(request, credentials)
    return try_later_response(request, retry_at=retry_at, what="login")
