"""The schedule page: every item of the course with its open date, due date and late
policy in the cohort's time zone, the extensions granted; and the extension marks the
dashboard puts in its matrix (one query)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Q

from courses.models import Cohort, Extension, Membership, ScheduleEntry
from courses.schedule import when, zone

from .items import Item, cohort_items, cohort_students, display_name

LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows


def item_key(kind: str, slug: str) -> str:
    """How a form names an item: "exercise:mean-abs"."""
    return f"{kind}:{slug}"


def local_input(at: datetime | None, tz: ZoneInfo) -> str:
    """A UTC time as the value of a datetime-local input in the cohort's zone."""
    return "" if at is None else at.astimezone(tz).strftime(LOCAL_INPUT_FORMAT)


def policy_text(entry: ScheduleEntry | None) -> str:
    if entry is None or entry.due_at is None:
        return "no due date"
    if entry.policy == ScheduleEntry.Policy.ACCEPT:
        return "late accepted without penalty"
    if entry.policy == ScheduleEntry.Policy.CLOSE:
        return "closed after the due date"
    unit = "day" if entry.penalty_unit == ScheduleEntry.Unit.DAY else "hour"
    return f"−{entry.penalty_percent:g}% per {unit} late, down to {entry.floor_percent:g}%"


@dataclass
class ScheduledItem:
    item: Item
    entry: ScheduleEntry | None
    tz: ZoneInfo
    extensions: int = 0
    # A schedule row for an item no longer in the course (removed from the files): listed
    # so it can be cleared.
    orphan: bool = False

    @property
    def key(self) -> str:
        return item_key(self.item.kind, self.item.slug)

    @property
    def opens(self) -> str:
        return when(self.entry.opens_at, self.tz) if self.entry else ""

    @property
    def due(self) -> str:
        return when(self.entry.due_at, self.tz) if self.entry else ""

    @property
    def policy(self) -> str:
        return policy_text(self.entry)

    @property
    def hides_scores(self) -> bool:
        return bool(self.entry and self.entry.hide_scores)


@dataclass
class ExtensionRow:
    extension: Extension
    item: Item
    tz: ZoneInfo

    @property
    def who(self) -> str:
        user = self.extension.user
        return "The whole cohort" if user is None else display_name(user)

    @property
    def due(self) -> str:
        return when(self.extension.due_at, self.tz)

    @property
    def original_due(self) -> str:
        return when(self.extension.entry.due_at, self.tz)

    @property
    def granted_at(self) -> str:
        return when(self.extension.created_at, self.tz)

    @property
    def granted_by(self) -> str:
        user = self.extension.granted_by
        return "" if user is None else display_name(user)

    @property
    def moot(self) -> bool:
        """The item's due date was moved past it since: it changes nothing now."""
        due = self.extension.entry.due_at
        return due is not None and self.extension.due_at <= due


@dataclass
class SchedulePage:
    cohort: Cohort
    tz: ZoneInfo
    rows: list[ScheduledItem]
    extensions: list[ExtensionRow]
    students: list[Membership]
    # What an extension may be granted for: the items with a due date.
    dated: list[ScheduledItem] = field(default_factory=list)

    def row(self, key: str) -> ScheduledItem | None:
        return next((row for row in self.rows if row.key == key), None)


def cohort_schedule(*, cohort: Cohort) -> SchedulePage:
    """Every item in study-path order with its schedule, then schedule rows of items no
    longer in the course; the extensions; the students. Six queries."""
    tz = zone(cohort.time_zone)
    items = cohort_items(cohort=cohort)
    entries = {(e.kind, e.slug): e for e in ScheduleEntry.objects.filter(cohort=cohort)}
    extensions = list(
        Extension.objects.filter(entry__cohort=cohort)
        .select_related("entry", "user", "granted_by")
        .order_by("entry__due_at", "entry__kind", "entry__slug", "user__username")
    )
    counts: dict[int, int] = {}
    for extension in extensions:
        counts[extension.entry_id] = counts.get(extension.entry_id, 0) + 1
    rows = []
    for item in items:
        entry = entries.pop((item.kind, item.slug), None)
        rows.append(ScheduledItem(item, entry, tz, counts.get(entry.pk, 0) if entry else 0))
    for (kind, slug), entry in sorted(entries.items()):
        gone = Item(kind, 0, slug, slug)
        rows.append(ScheduledItem(gone, entry, tz, counts.get(entry.pk, 0), orphan=True))
    by_key = {(row.item.kind, row.item.slug): row.item for row in rows}
    return SchedulePage(
        cohort=cohort,
        tz=tz,
        rows=rows,
        extensions=[ExtensionRow(e, by_key[(e.entry.kind, e.entry.slug)], tz) for e in extensions],
        students=cohort_students(cohort=cohort),
        dated=[row for row in rows if row.entry is not None and row.entry.due_at is not None],
    )


@dataclass
class ExtensionMarks:
    """Extensions that move a due date, for the dashboard: per student, and for the
    whole cohort, (kind, slug) -> the words of the new due date."""

    by_student: dict[int, dict[tuple[str, str], str]]
    cohort_wide: dict[tuple[str, str], str]

    def for_items(self, items: list[Item]) -> list[str]:
        return [self.cohort_wide.get((item.kind, item.slug), "") for item in items]


def extension_marks(*, cohort: Cohort, students: list[int] | None = None) -> ExtensionMarks:
    """One query. With ``students`` (the dashboard's page), only their extensions and the
    whole cohort's are read, so the cost follows the page, not the cohort."""
    tz = zone(cohort.time_zone)
    by_student: dict[int, dict[tuple[str, str], str]] = {}
    cohort_wide: dict[tuple[str, str], str] = {}
    rows = Extension.objects.filter(entry__cohort=cohort)
    if students is not None:
        rows = rows.filter(Q(user_id__in=students) | Q(user__isnull=True))
    rows = rows.values_list("user_id", "entry__kind", "entry__slug", "due_at", "entry__due_at")
    for user_id, kind, slug, due_at, original in rows:
        if original is not None and due_at <= original:
            continue  # the item's own date is later: nothing is extended
        marks = cohort_wide if user_id is None else by_student.setdefault(user_id, {})
        marks[(kind, slug)] = when(due_at, tz)
    return ExtensionMarks(by_student=by_student, cohort_wide=cohort_wide)
