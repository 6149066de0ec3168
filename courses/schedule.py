"""The schedule's rules: when an item opens, when it is due, what happens after.

A cohort's ScheduleEntry gives an item (kind + slug) an open date, a due date and a late
policy; an Extension moves the due date for one student or for everyone (a student's own
extension wins over the cohort's). ``deadline_for`` folds them into a ``Deadline``, and
everything else asks the Deadline:

    state(at)    "not_open" before the open date; "open"; after the due date "late"
                 (accept, penalty) or "closed" (close)
    factor(at)   the share of a score that counts for an attempt made at ``at``: 1.0 on
                 time or under "accept"; under "penalty", 1 - penalty x units started
                 late, never below the floor
    refusal(at)  why a new attempt is refused now, or ""

Times are aware datetimes in UTC (what the database stores). A day late is counted on the
cohort's wall clock: the first day ends at the due time on the next calendar day in the
cohort's zone, so a day that is 23 or 25 hours long across a daylight-saving change is
still one day. Hours are real hours. Attempts keep the factor they were made with: the
rules apply to new attempts only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q

from .models import Cohort, Extension, Membership, ScheduleEntry

HOUR_S = 3600


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_to_utc(naive: datetime, tz: ZoneInfo) -> datetime:
    """A wall-clock time in ``tz`` as UTC. ValueError for a time the clocks skip (the
    spring-forward gap); a time that happens twice (autumn) is its first occurrence."""
    aware = naive.replace(tzinfo=tz, fold=0)
    back = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if back != naive.replace(tzinfo=None):
        raise ValueError(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key}: the clocks skip it "
            "(daylight saving); pick a time outside the gap"
        )
    return aware.astimezone(UTC)


@dataclass(frozen=True)
class Deadline:
    opens_at: datetime | None
    due_at: datetime | None
    policy: str
    penalty_percent: float
    penalty_unit: str
    floor_percent: float
    hide_scores: bool
    tz: ZoneInfo
    extended: bool = False
    reason: str = ""
    original_due_at: datetime | None = None

    def state(self, at: datetime) -> str:
        if self.opens_at is not None and at < self.opens_at:
            return "not_open"
        if self.due_at is None or at <= self.due_at:
            return "open"
        return "closed" if self.policy == ScheduleEntry.Policy.CLOSE else "late"

    def units_late(self, at: datetime) -> int:
        """Units (days on the cohort's wall clock, or hours) started after the due date."""
        if self.due_at is None or at <= self.due_at:
            return 0
        if self.penalty_unit == ScheduleEntry.Unit.HOUR:
            return math.ceil((at - self.due_at).total_seconds() / HOUR_S)
        due_local = self.due_at.astimezone(self.tz)
        days = max(1, (at - self.due_at).days)  # never more than one below the answer
        while _wall_clock_days_later(due_local, days - 1) >= at:
            days -= 1
        while _wall_clock_days_later(due_local, days) < at:
            days += 1
        return days

    def factor(self, at: datetime) -> float:
        if self.state(at) != "late" or self.policy != ScheduleEntry.Policy.PENALTY:
            return 1.0
        kept = 100.0 - self.penalty_percent * self.units_late(at)
        return max(self.floor_percent, kept) / 100.0

    def refusal(self, at: datetime) -> str:
        state = self.state(at)
        if state == "not_open":
            return f"This opens on {when(self.opens_at, self.tz)}."
        if state == "closed":
            return f"This closed at its due date, {when(self.due_at, self.tz)}."
        return ""

    def hides_scores(self, at: datetime) -> bool:
        return self.hide_scores and self.due_at is not None and at <= self.due_at


def _wall_clock_days_later(local: datetime, days: int) -> datetime:
    # Aware arithmetic in a ZoneInfo zone keeps the wall-clock time and takes the
    # offset of the new date: the due time on that calendar day.
    return local + timedelta(days=days)


def when(at: datetime | None, tz: ZoneInfo) -> str:
    """The one format for a date and time on the site: "Tue 4 Mar 2025, 23:59 CET"."""
    if at is None:
        return ""
    local = at.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def in_words(delta: timedelta) -> str:
    """A duration as a person says it: "3 days", "5 hours", "20 minutes"."""
    seconds = abs(delta.total_seconds())
    for size, name in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {name}{'' if count == 1 else 's'}"
    return "less than a minute"


def student_cohort(*, user, course) -> Cohort | None:
    """The cohort whose schedule applies to this student on this course: their first."""
    if not user.is_authenticated:
        return None
    membership = (
        Membership.objects.filter(user=user, cohort__course=course, role=Membership.Role.STUDENT)
        .select_related("cohort")
        .order_by("joined_at")
        .first()
    )
    return membership.cohort if membership else None


def _deadline(entry: ScheduleEntry, extension: Extension | None, tz: ZoneInfo) -> Deadline:
    due = entry.due_at
    if extension is not None and (due is None or extension.due_at > due):
        due = extension.due_at
    return Deadline(
        opens_at=entry.opens_at,
        due_at=due,
        policy=entry.policy,
        penalty_percent=entry.penalty_percent,
        penalty_unit=entry.penalty_unit,
        floor_percent=entry.floor_percent,
        hide_scores=entry.hide_scores,
        tz=tz,
        extended=due != entry.due_at,
        reason=extension.reason if extension is not None and due != entry.due_at else "",
        original_due_at=entry.due_at,
    )


def _best_extension(extensions) -> Extension | None:
    """A student's own extension wins over the whole cohort's."""
    own = [e for e in extensions if e.user_id is not None]
    return own[0] if own else (extensions[0] if extensions else None)


def deadline_for(*, cohort: Cohort | None, user, kind: str, slug: str) -> Deadline | None:
    if cohort is None:
        return None
    entry = ScheduleEntry.objects.filter(cohort=cohort, kind=kind, slug=slug).first()
    if entry is None:
        return None
    mine = Q(user__isnull=True)
    if user is not None and user.is_authenticated:
        mine |= Q(user=user)
    extensions = list(entry.extensions.filter(mine))
    return _deadline(entry, _best_extension(extensions), zone(cohort.time_zone))


def item_deadline(*, user, course, kind: str, slug: str) -> Deadline | None:
    """This student's deadline for one item of the course (their cohort's schedule, their
    extension); None without a schedule, and for anyone not studying the course (staff,
    its instructors, a preview's authors). Three queries."""
    cohort = student_cohort(user=user, course=course)
    return deadline_for(cohort=cohort, user=user, kind=kind, slug=slug)


def deadlines_for(*, cohort: Cohort | None, user) -> dict[tuple[str, str], Deadline]:
    """Every scheduled item of the cohort, as this user's deadlines: (kind, slug) ->
    Deadline. Two queries."""
    if cohort is None:
        return {}
    tz = zone(cohort.time_zone)
    entries = list(ScheduleEntry.objects.filter(cohort=cohort))
    mine = Q(user__isnull=True)
    if user is not None and user.is_authenticated:
        mine |= Q(user=user)
    by_entry: dict[int, list[Extension]] = {}
    for extension in Extension.objects.filter(mine, entry__cohort=cohort):
        by_entry.setdefault(extension.entry_id, []).append(extension)
    return {
        (entry.kind, entry.slug): _deadline(entry, _best_extension(by_entry.get(entry.pk, [])), tz)
        for entry in entries
    }
