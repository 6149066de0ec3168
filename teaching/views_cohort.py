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

from . import selectors_cohort as selectors
from .access import cohort_for_instructor
from .charts import bar_chart
from .selectors_cohort import FAILED_ATTEMPTS_STRUGGLING, IDLE_DAYS_DEFAULT, KINDS, SORTS

# Sortable columns: (sort key, header text); each header toggles between both directions.
SORTABLE = {"name": "Student", "completion": "Completion", "activity": "Last activity"}


def _idle_days(raw: str | None) -> int:
    try:
        return min(365, max(1, int(raw)))
    except (TypeError, ValueError):
        return IDLE_DAYS_DEFAULT


@lru_cache(maxsize=4096)
def _cell_html(cell: selectors.Cell) -> str:
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


@login_required
@require_GET
def cohort_dashboard(request, cohort_uuid):
    cohort = cohort_for_instructor(user=request.user, uuid=cohort_uuid)
    kind = request.GET.get("kind")
    kind = kind if kind in KINDS else None
    sort = request.GET.get("sort")
    sort = sort if sort in SORTS else "name"
    struggling_only = request.GET.get("struggling") == "1"
    idle_days = _idle_days(request.GET.get("idle_days"))
    dashboard = selectors.cohort_dashboard(
        cohort=cohort,
        kind=kind,
        struggling_only=struggling_only,
        sort=sort,
        idle_days=idle_days,
    )
    kept = {
        key: value
        for key, value in (
            ("kind", kind),
            ("struggling", "1" if struggling_only else None),
            ("idle_days", idle_days if idle_days != IDLE_DAYS_DEFAULT else None),
        )
        if value
    }
    sorts = []
    for key, label in SORTABLE.items():
        active = sort.lstrip("-") == key
        descending = sort.startswith("-")
        # Names sort A→Z first; completion and activity most-first.
        first = key if key == "name" else f"-{key}"
        target = (key if descending else f"-{key}") if active else first
        sorts.append(
            {
                "key": key,
                "label": label,
                "target": target,
                "url": "?" + urlencode({**kept, "sort": target}),
                "aria_sort": ("descending" if descending else "ascending") if active else None,
            }
        )
    chart = bar_chart(
        [
            ("Submissions", dashboard.submissions_per_day),
            ("Quiz attempts", dashboard.attempts_per_day),
        ],
        title=f"Activity per day, last {len(dashboard.activity_days)} days",
        x_labels=[f"{day.day} {day:%b}" for day in dashboard.activity_days],
        y_label="per day",
        x_label="Day",
    )
    return render(
        request,
        "teaching/cohort_dashboard.html",
        {
            "cohort": cohort,
            "dashboard": dashboard,
            "kind": kind,
            "kinds": [
                ("", "All items"),
                ("lesson", "Lessons"),
                ("quiz", "Checkpoints"),
                ("exercise", "Exercises"),
            ],
            "sort": sort,
            "sorts": sorts,
            "kept": kept,
            "struggling_only": struggling_only,
            "idle_days": idle_days,
            "failed_threshold": FAILED_ATTEMPTS_STRUGGLING,
            "activity_chart": chart,
            "matrix_body": matrix_body(cohort=cohort, rows=dashboard.rows),
        },
    )


@login_required
@require_GET
def cohort_student(request, cohort_uuid, user_id):
    cohort = cohort_for_instructor(user=request.user, uuid=cohort_uuid)
    membership = selectors.cohort_student_get(cohort=cohort, user_id=user_id)
    events = selectors.student_timeline(cohort=cohort, user=membership.user)
    return render(
        request,
        "teaching/student_timeline.html",
        {
            "cohort": cohort,
            "membership": membership,
            "student": membership.user,
            "student_name": selectors.display_name(membership.user),
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
    book = selectors.cohort_gradebook(cohort=cohort)
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
                spreadsheet_text(selectors.display_name(row.user)),
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
