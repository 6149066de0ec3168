"""The cohort pages: dashboard, one student's timeline, the gradebook export."""

import csv
from functools import lru_cache
from html import escape

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from .access import cohort_for_instructor
from .charts import bar_chart
from .forms import DashboardFilterForm, DashboardFilters
from .rules import FAILED_ATTEMPTS_STRUGGLING, IDLE_DAYS_DEFAULT
from .selectors import dashboard as dashboard_selectors
from .selectors import gradebook as gradebook_selectors
from .selectors import timeline as timeline_selectors
from .selectors.items import display_name

# Sortable columns: (sort key, header text); each header toggles between both directions.
SORTABLE = {"name": "Student", "completion": "Completion", "activity": "Last activity"}
KIND_CHOICES = [
    ("", "All items"),
    ("lesson", "Lessons"),
    ("quiz", "Checkpoints"),
    ("exercise", "Exercises"),
]


@lru_cache(maxsize=4096)
def _cell_html(cell: dashboard_selectors.Cell) -> str:
    return f'<td class="cell-{cell.state}">{escape(cell.symbol)} {escape(cell.text)}</td>'


def matrix_body(*, cohort, rows) -> SafeString:
    """The matrix's <tbody> rows, built here rather than in the template: 500 students
    make ~20,000 cells, and the template engine would spend most of the page's time on
    them. Every text is escaped; cells in the same state share their cached markup."""
    student_url = reverse("teaching:student", args=[cohort.uuid, 0])[: -len("0/")]
    html = []
    for row in rows:
        flag = ""
        if row.struggling:
            reasons = escape("; ".join(row.reasons))
            flag = (
                f' <span class="flag" title="{reasons}">⚑'
                f'<span class="visually-hidden"> struggling: {reasons}</span></span>'
            )
        if row.last_activity:
            last = (
                f'<time datetime="{row.last_activity.isoformat()}">'
                f"{row.last_activity.day} {row.last_activity:%b}</time>"
            )
        else:
            last = "never"
        marker = ' class="is-struggling"' if row.struggling else ""
        html.append(
            f"<tr{marker}>"
            f'<th scope="row" class="matrix-student"><a href="{student_url}{row.user.id}/">'
            f"{escape(row.name)}</a>{flag}</th>"
            f'<td class="matrix-summary">{row.percent}% <span class="meta">'
            f"({row.done}/{row.total})</span></td>"
            f'<td class="matrix-summary">{last}</td>'
            f"{''.join(_cell_html(cell) for cell in row.cells)}</tr>"
        )
    return mark_safe("\n".join(html))


def _kept(filters: DashboardFilters) -> dict:
    """The filters a sort link keeps, as GET parameters (defaults left out)."""
    kept = {
        "kind": filters.kind,
        "struggling": "1" if filters.struggling_only else None,
        "idle_days": filters.idle_days if filters.idle_days != IDLE_DAYS_DEFAULT else None,
    }
    return {key: value for key, value in kept.items() if value}


def _sort_links(sort: str, kept: dict) -> list[dict]:
    links = []
    for key, label in SORTABLE.items():
        active = sort.lstrip("-") == key
        descending = sort.startswith("-")
        # Names sort A→Z first; completion and activity most-first.
        first = key if key == "name" else f"-{key}"
        target = (key if descending else f"-{key}") if active else first
        links.append(
            {
                "key": key,
                "label": label,
                "target": target,
                "url": "?" + urlencode({**kept, "sort": target}),
                "aria_sort": ("descending" if descending else "ascending") if active else None,
            }
        )
    return links


def _activity_chart(dashboard):
    return bar_chart(
        [
            ("Submissions", dashboard.submissions_per_day),
            ("Quiz attempts", dashboard.attempts_per_day),
        ],
        title=f"Activity per day, last {len(dashboard.activity_days)} days",
        x_labels=[f"{day.day} {day:%b}" for day in dashboard.activity_days],
        y_label="per day",
        x_label="Day",
    )


@login_required
@require_GET
def cohort_dashboard(request, cohort_uuid):
    cohort = cohort_for_instructor(user=request.user, uuid=cohort_uuid)
    filters = DashboardFilterForm(request.GET).filters()
    dashboard = dashboard_selectors.cohort_dashboard(
        cohort=cohort,
        kind=filters.kind,
        struggling_only=filters.struggling_only,
        sort=filters.sort,
        idle_days=filters.idle_days,
    )
    kept = _kept(filters)
    return render(
        request,
        "teaching/cohort_dashboard.html",
        {
            "cohort": cohort,
            "dashboard": dashboard,
            "kind": filters.kind,
            "kinds": KIND_CHOICES,
            "sort": filters.sort,
            "sorts": _sort_links(filters.sort, kept),
            "kept": kept,
            "struggling_only": filters.struggling_only,
            "idle_days": filters.idle_days,
            "failed_threshold": FAILED_ATTEMPTS_STRUGGLING,
            "activity_chart": _activity_chart(dashboard),
            "matrix_body": matrix_body(cohort=cohort, rows=dashboard.rows),
        },
    )


@login_required
@require_GET
def cohort_student(request, cohort_uuid, user_id):
    cohort = cohort_for_instructor(user=request.user, uuid=cohort_uuid)
    membership = timeline_selectors.cohort_student_get(cohort=cohort, user_id=user_id)
    events = timeline_selectors.student_timeline(cohort=cohort, user=membership.user)
    return render(
        request,
        "teaching/student_timeline.html",
        {
            "cohort": cohort,
            "membership": membership,
            "student": membership.user,
            "student_name": display_name(membership.user),
            "events": events,
        },
    )


# A cell starting with one of these is a formula to a spreadsheet (CSV injection); tab
# and carriage return too, as some spreadsheets strip them before looking.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    value = str(value)
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def spreadsheet_number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{round(value, 2):.2f}".rstrip("0").rstrip(".")


@login_required
@require_GET
def cohort_gradebook_csv(request, cohort_uuid):
    cohort = cohort_for_instructor(user=request.user, uuid=cohort_uuid)
    book = gradebook_selectors.cohort_gradebook(cohort=cohort)
    filename = f"{slugify(cohort.name) or 'cohort'}-gradebook-{timezone.now():%Y-%m-%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The BOM makes Excel read the file as UTF-8; the csv module ends rows with CRLF.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        ["username", "display name", "email"]
        + [spreadsheet_text(f"{q.title} (%)") for q in book.quizzes]
        + [spreadsheet_text(f"{e.title} (of {e.points:g} points)") for e in book.exercises]
        + ["points earned", "points possible", "percent"]
    )
    for row in book.rows:
        writer.writerow(
            [
                spreadsheet_text(row.user.get_username()),
                spreadsheet_text(display_name(row.user)),
                spreadsheet_text(row.user.email),
            ]
            + [spreadsheet_number(None if s is None else 100 * s) for s in row.quiz_scores]
            + [spreadsheet_number(p) for p in row.exercise_points]
            + [
                spreadsheet_number(row.earned),
                spreadsheet_number(row.possible),
                spreadsheet_number(row.percent),
            ]
        )
    return response
