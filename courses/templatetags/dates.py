"""The site's one way to write a moment: ``{{ at|when }}`` ("Tue 4 Mar 2025, 23:59 CET"),
``{{ at|day }}`` ("Tue 4 Mar 2025") and ``{{ at|relative }}`` ("3 days ago", "in 2
hours"). Each takes a time zone (a name such as a cohort's ``time_zone``); without one,
the site's (UTC). The formats themselves live in courses.schedule, which the services
use for the texts they build."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

from courses.schedule import in_words, zone
from courses.schedule import when as _when

register = template.Library()


def _tz(name) -> ZoneInfo:
    if isinstance(name, ZoneInfo):
        return name
    if name:
        return zone(str(name))
    current = timezone.get_current_timezone()
    return current if isinstance(current, ZoneInfo) else ZoneInfo("UTC")


@register.filter
def when(at: datetime | None, tz=None) -> str:
    if not isinstance(at, datetime):
        return ""
    return _when(at, _tz(tz))


@register.filter
def day(at: datetime | None, tz=None) -> str:
    if not isinstance(at, datetime):
        return ""
    local = at.astimezone(_tz(tz))
    return f"{local:%a} {local.day} {local:%b %Y}"


@register.filter
def relative(at: datetime | None) -> str:
    if not isinstance(at, datetime):
        return ""
    delta = at - timezone.now()
    if abs(delta.total_seconds()) < 60:
        return "just now"
    words = in_words(delta)
    return f"in {words}" if delta.total_seconds() > 0 else f"{words} ago"
