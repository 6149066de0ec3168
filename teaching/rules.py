"""When the instructor's pages flag a student: small pure rules, tested on their own.

A student is struggling on an exercise after FAILED_ATTEMPTS_STRUGGLING graded, failed
submissions without a pass; a student is idle after ``idle_days`` without activity (or,
never having done anything, that long after joining).
"""

from __future__ import annotations

from datetime import datetime, timedelta

# Kept beside the standings that count it (grading/models.py).
from grading.models import FAILED_ATTEMPTS_STRUGGLING  # noqa: E402, F401

IDLE_DAYS_DEFAULT = 7


def struggling_reason(*, failed: int, passed: bool, title: str) -> str | None:
    """Why a student looks stuck on one exercise, or None."""
    if passed or failed < FAILED_ATTEMPTS_STRUGGLING:
        return None
    return f"{failed} failed attempts on {title}"


def idle_reason(
    *, last_activity: datetime | None, joined_at: datetime, now: datetime, idle_days: int
) -> str | None:
    """Why a student looks idle, or None."""
    since = last_activity or joined_at
    if now - since < timedelta(days=idle_days):
        return None
    days = (now - since).days
    if last_activity is None:
        return f"no activity in {days} days"
    return f"no progress for {days} days"
