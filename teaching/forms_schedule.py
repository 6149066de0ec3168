"""The schedule page's forms. Dates are typed as wall-clock times in the cohort's zone
(what <input type="datetime-local"> sends, with no zone) and turned into UTC here with
courses.schedule.local_to_utc, so a time the clocks skip is refused at its field."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict

from courses.models import Cohort, ScheduleEntry
from courses.schedule import local_to_utc, when

from .selectors.items import display_name
from .selectors.schedule import LOCAL_INPUT_FORMAT, SchedulePage

PERCENT_ERRORS = {
    "min_value": "A percentage from 0 to 100.",
    "max_value": "A percentage from 0 to 100.",
    "invalid": "A percentage from 0 to 100.",
}


@lru_cache(maxsize=1)
def zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(available_timezones())]


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=zone_choices,
        error_messages={"invalid_choice": "%(value)s is not a time zone this server knows."},
    )


# What each choice means, one line each, under its radio button.
SCORE_POLICY_HELP = {
    Cohort.ScorePolicy.BEST: (
        "Each student's attempt with the highest score after its late penalty counts: "
        "trying again never lowers it."
    ),
    Cohort.ScorePolicy.LATEST: (
        "Each student's most recent graded attempt counts, after its late penalty, even "
        "when an earlier one scored higher."
    ),
}


class ExplainedRadioSelect(forms.RadioSelect):
    """Radio buttons each described by the line of help the template puts under it
    (``<id>_helptext``), so a screen reader reads it with the choice."""

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        option["attrs"]["aria-describedby"] = f"{option['attrs']['id']}_helptext"
        return option


class ScorePolicyForm(forms.Form):
    score_policy = forms.ChoiceField(
        label="The attempt that counts",
        choices=[
            (Cohort.ScorePolicy.BEST, "The best attempt"),
            (Cohort.ScorePolicy.LATEST, "The latest attempt"),
        ],
        widget=ExplainedRadioSelect,
        error_messages={
            "required": "Choose which attempt counts.",
            "invalid_choice": "“%(value)s” is not a choice here: the best attempt or the latest.",
        },
    )

    def options(self) -> list[tuple]:
        """(radio button, its line of help) per choice, for the template."""
        return [(radio, SCORE_POLICY_HELP[radio.data["value"]]) for radio in self["score_policy"]]


class LocalDateTimeField(forms.Field):
    """A wall-clock date and time with no zone: a naive datetime, to the minute."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT_FORMAT)
    default_error_messages = {"invalid": "Enter a date and a time, such as 2026-05-04 23:59."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None, second=0, microsecond=0)
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if parsed.tzinfo is not None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed.replace(second=0, microsecond=0)


class _LocalTimesForm(forms.Form):
    """Turns its LocalDateTimeFields into UTC in the cohort's zone after cleaning."""

    local_fields: tuple[str, ...] = ()

    def __init__(self, *args, tz: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz

    def _to_utc(self) -> None:
        for name in self.local_fields:
            naive = self.cleaned_data.get(name)
            if naive is None:
                continue
            try:
                self.cleaned_data[name] = local_to_utc(naive, self.tz)
            except ValueError as exc:
                message = str(exc)
                self.add_error(name, message[:1].upper() + message[1:] + ".")


class ScheduleForm(_LocalTimesForm):
    """One set of values for a group of items (``items``), or clearing their schedule."""

    local_fields = ("opens_at", "due_at")

    action = forms.ChoiceField(choices=[("set", "set"), ("clear", "clear")], required=False)
    items = forms.MultipleChoiceField(
        error_messages={
            "required": "Select at least one item.",
            "invalid_choice": "%(value)s is not an item of this course.",
        }
    )
    opens_at = LocalDateTimeField(label="Opens", required=False)
    due_at = LocalDateTimeField(label="Due", required=False)
    policy = forms.ChoiceField(
        label="After the due date",
        choices=ScheduleEntry.Policy.choices,
        initial=ScheduleEntry.Policy.PENALTY,
    )
    penalty_percent = forms.FloatField(
        label="Penalty (%)",
        min_value=0,
        max_value=100,
        required=False,
        initial=10,
        error_messages=PERCENT_ERRORS,
    )
    penalty_unit = forms.ChoiceField(
        label="Per", choices=ScheduleEntry.Unit.choices, initial=ScheduleEntry.Unit.DAY
    )
    floor_percent = forms.FloatField(
        label="Keeping at least (%)",
        min_value=0,
        max_value=100,
        required=False,
        initial=50,
        error_messages=PERCENT_ERRORS,
    )
    hide_scores = forms.BooleanField(label="Hide scores until the due date", required=False)

    def __init__(self, *args, page: SchedulePage, **kwargs):
        super().__init__(*args, tz=page.tz, **kwargs)
        self.fields["items"].choices = [(row.key, row.item.title) for row in page.rows]
        for name in ("penalty_percent", "floor_percent"):
            self.fields[name].widget.attrs.update(min="0", max="100", step="any")

    @property
    def clearing(self) -> bool:
        return self.data.get("action") == "clear"

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.clearing and "items" in self.cleaned_data:
            # Clearing needs only the selection: the values below it are not looked at.
            kept = {k: v for k, v in self._errors.items() if k in ("items", "action")}
            self._errors = ErrorDict(kept)

    def clean(self):
        cleaned = super().clean()
        if self.clearing:
            return cleaned
        for name in ("penalty_percent", "floor_percent"):
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = self.fields[name].initial
        self._to_utc()
        opens, due = cleaned.get("opens_at"), cleaned.get("due_at")
        if (
            isinstance(opens, datetime)
            and isinstance(due, datetime)
            and opens.tzinfo is not None
            and due.tzinfo is not None
            and opens >= due
        ):
            self.add_error("opens_at", "The open date must be before the due date.")
        return cleaned

    def values(self) -> dict:
        """The fields a ScheduleEntry takes, as cleaned."""
        names = ("opens_at", "due_at", "policy", "penalty_percent", "penalty_unit")
        names += ("floor_percent", "hide_scores")
        return {name: self.cleaned_data[name] for name in names}


EVERYONE = "cohort"


class ExtensionForm(_LocalTimesForm):
    local_fields = ("due_at",)

    student = forms.ChoiceField(
        label="For",
        error_messages={
            "required": "Choose a student or the whole cohort.",
            "invalid_choice": "Choose a student of this cohort.",
        },
    )
    item = forms.ChoiceField(
        label="Item",
        error_messages={
            "required": "Choose an item with a due date.",
            "invalid_choice": "Choose an item with a due date.",
        },
    )
    due_at = LocalDateTimeField(
        label="New due date",
        error_messages={"required": "Enter the new due date."},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        error_messages={"required": "Give a reason: the student sees it with their date."},
    )

    def __init__(self, *args, page: SchedulePage, **kwargs):
        super().__init__(*args, tz=page.tz, **kwargs)
        self.page = page
        self.fields["student"].choices = [
            ("", "Choose…"),
            (EVERYONE, "The whole cohort"),
            *[(str(m.user_id), display_name(m.user)) for m in page.students],
        ]
        self.fields["item"].choices = [("", "Choose…")] + [
            (row.key, f"{row.item.title} (due {row.due})") for row in page.dated
        ]

    def clean(self):
        cleaned = super().clean()
        self._to_utc()
        row = self.page.row(cleaned.get("item") or "")
        due = cleaned.get("due_at")
        if row is not None and isinstance(due, datetime) and due.tzinfo is not None:
            original = row.entry.due_at
            if due <= original:
                self.add_error(
                    "due_at",
                    f"The new due date must be later than the item's due date, "
                    f"{when(original, self.tz)}.",
                )
        return cleaned

    @property
    def entry(self) -> ScheduleEntry:
        return self.page.row(self.cleaned_data["item"]).entry

    @property
    def user(self):
        """The student it is for, or None for the whole cohort."""
        chosen = self.cleaned_data["student"]
        if chosen == EVERYONE:
            return None
        return next(m.user for m in self.page.students if str(m.user_id) == chosen)
