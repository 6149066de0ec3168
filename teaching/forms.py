"""The dashboard's GET parameters as a form: each value is checked, and one that does not
parse falls back to its default rather than failing the page (a hand-edited or stale
link still shows the dashboard)."""

from dataclasses import dataclass

from django import forms

from .rules import IDLE_DAYS_DEFAULT
from .selectors.dashboard import SORTS
from .selectors.items import KINDS

MAX_IDLE_DAYS = 365


@dataclass(frozen=True)
class DashboardFilters:
    kind: str | None = None
    sort: str = "name"
    struggling_only: bool = False
    idle_days: int = IDLE_DAYS_DEFAULT
    search: str = ""
    page: int = 1


SEARCH_MAX_CHARS = 100


class DashboardFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k, k) for k in KINDS], required=False)
    sort = forms.ChoiceField(choices=[(s, s) for s in SORTS], required=False)
    struggling = forms.ChoiceField(choices=[("1", "only"), ("0", "all")], required=False)
    idle_days = forms.IntegerField(required=False)
    q = forms.CharField(required=False, max_length=SEARCH_MAX_CHARS, strip=True)
    page = forms.IntegerField(required=False, min_value=1)

    def clean_idle_days(self):
        # Out of range is brought in range, as whoever edited the link meant.
        value = self.cleaned_data.get("idle_days")
        return None if value is None else min(MAX_IDLE_DAYS, max(1, value))

    def filters(self) -> DashboardFilters:
        self.is_valid()  # a field with an error is left out of cleaned_data: its default
        cleaned = self.cleaned_data
        return DashboardFilters(
            kind=cleaned.get("kind") or None,
            sort=cleaned.get("sort") or "name",
            struggling_only=cleaned.get("struggling") == "1",
            idle_days=cleaned.get("idle_days") or IDLE_DAYS_DEFAULT,
            search=cleaned.get("q") or "",
            page=cleaned.get("page") or 1,
        )
