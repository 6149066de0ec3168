"""The dashboard's GET parameters: checked by a form, and a value that does not parse
falls back to its default instead of failing the page."""

import pytest
from django.http import QueryDict

from teaching.forms import DashboardFilterForm, DashboardFilters


def filters(query: str) -> DashboardFilters:
    return DashboardFilterForm(QueryDict(query)).filters()


def test_no_parameters_mean_the_defaults():
    assert filters("") == DashboardFilters()


def test_good_values_are_kept():
    assert filters("kind=quiz&sort=-activity&struggling=1&idle_days=3") == DashboardFilters(
        kind="quiz", sort="-activity", struggling_only=True, idle_days=3
    )


@pytest.mark.parametrize(
    "query",
    ["kind=everything", "sort=score", "struggling=yes", "idle_days=soon"],
)
def test_a_value_that_does_not_parse_falls_back_to_its_default(query):
    assert filters(query) == DashboardFilters()


@pytest.mark.parametrize(("raw", "days"), [("0", 1), ("-4", 1), ("9999", 365), ("30", 30)])
def test_idle_days_are_brought_into_range(raw, days):
    assert filters(f"idle_days={raw}").idle_days == days
