"""The cohort pages: dashboard, one student's timeline, the gradebook export."""

import csv
from functools import lru_cache
from html import escape

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from .access import cohort_for_staff
from .charts import bar_chart
from .forms import DashboardFilterForm, DashboardFilters
from .rules import FAILED_ATTEMPTS_STRUGGLING, IDLE_DAYS_DEFAULT
from .selectors import dashboard as dashboard_selectors
from .selectors import gradebook as gradebook_selectors
from .selectors import schedule as schedule_selectors
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
def _cell_html(cell: dashboard_selectors.Cell, extended_to: str = "") -> str:
    mark = ""
    if extended_to:
        # "ext." on the cell, the new due date on hover and for screen readers.
        due = escape(extended_to)
        mark = (
            f' <span class="ext-mark" title="Extension: due {due}"><span aria-hidden="true">'
            f'ext.</span><span class="visually-hidden">extension, due {due}</span></span>'
        )
    return f'<td class="cell-{cell.state}">{escape(cell.symbol)} {escape(cell.text)}{mark}</td>'


def _cells_html(row, items, extended: dict | None) -> str:
    if not extended:
        return "".join(_cell_html(cell) for cell in row.cells)
    return "".join(
        _cell_html(cell, extended.get((item.kind, item.slug), ""))
        for cell, item in zip(row.cells, items, strict=True)
    )


def matrix_body(*, cohort, rows, items=(), extensions=None) -> SafeString:
    """The matrix's <tbody> rows, built here rather than in the template: 500 students
    make ~20,000 cells, and the template engine would spend most of the page's time on
    them. Every text is escaped; cells in the same state share their cached markup.
    A cell of an item the student has an extension for is marked "ext." (``extensions``:
    schedule_selectors.ExtensionMarks; ``items`` aligned with the rows' cells)."""
    student_url = reverse("teaching:student", args=[cohort.uuid, 0])[: -len("0/")]
    by_student = extensions.by_student if extensions is not None else {}
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
            f"{_cells_html(row, items, by_student.get(row.user.id))}</tr>"
        )
    return mark_safe("\n".join(html))


def _kept(filters: DashboardFilters) -> dict:
    """The filters a sort link keeps, as GET parameters (defaults left out)."""
    kept = {
        "kind": filters.kind,
        "struggling": "1" if filters.struggling_only else None,
        "idle_days": filters.idle_days if filters.idle_days != IDLE_DAYS_DEFAULT else None,
        "q": filters.search or None,
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


def _pager(dashboard, kept: dict) -> dict:
    """Links to the first, previous, next and last pages, keeping filters and sort."""

    def url(page: int) -> str:
        return "?" + urlencode({**kept, "page": page})

    page, pages = dashboard.page, dashboard.pages
    return {
        "first": url(1) if page > 1 else None,
        "previous": url(page - 1) if page > 1 else None,
        "next": url(page + 1) if page < pages else None,
        "last": url(pages) if page < pages else None,
    }


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
        counts=True,
    )


@login_required
@require_GET
def cohort_dashboard(request, cohort_uuid):
    cohort = cohort_for_staff(user=request.user, uuid=cohort_uuid)
    filters = DashboardFilterForm(request.GET).filters()
    dashboard = dashboard_selectors.cohort_dashboard(
        cohort=cohort,
        kind=filters.kind,
        struggling_only=filters.struggling_only,
        sort=filters.sort,
        idle_days=filters.idle_days,
        search=filters.search,
        page=filters.page,
    )
    kept = _kept(filters)
    extensions = schedule_selectors.extension_marks(
        cohort=cohort, students=[row.user.id for row in dashboard.rows]
    )
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
            "search": filters.search,
            "pager": _pager(dashboard, {**kept, "sort": filters.sort}),
            # All the struggling students, under the same idle rule as the count.
            "struggling_url": "?"
            + urlencode(
                {
                    "struggling": 1,
                    **({"idle_days": kept["idle_days"]} if "idle_days" in kept else {}),
                }
            ),
            "failed_threshold": FAILED_ATTEMPTS_STRUGGLING,
            "activity_chart": _activity_chart(dashboard),
            "matrix_body": matrix_body(
                cohort=cohort, rows=dashboard.rows, items=dashboard.items, extensions=extensions
            ),
            # (item, new due date of the whole cohort's extension or "") per column
            "matrix_columns": list(
                zip(dashboard.items, extensions.for_items(dashboard.items), strict=True)
            ),
        },
    )


@login_required
@require_GET
def cohort_student(request, cohort_uuid, user_id):
    cohort = cohort_for_staff(user=request.user, uuid=cohort_uuid)
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


def _score_cells(score: gradebook_selectors.Score, scale: float) -> list[str]:
    """Raw and counted best on the column's scale (percent or points), and the late
    penalty of the attempt that counts; blank when never attempted."""
    return [
        spreadsheet_number(None if score.raw is None else score.raw * scale),
        spreadsheet_number(None if score.counted is None else score.counted * scale),
        spreadsheet_number(score.penalty_percent),
    ]


class _Line:
    """A file-like sink for csv.writer that hands back each row it is given."""

    def write(self, value: str) -> str:
        return value


def _gradebook_header(cohort, book) -> list[str]:
    header = ["username", "display name", "email"]
    counts = cohort.get_score_policy_display()  # "best attempt" or "latest attempt"
    for quiz in book.quizzes:
        header += [
            spreadsheet_text(f"{quiz.title} (score %)"),
            spreadsheet_text(f"{quiz.title} (counted %, {counts})"),
            spreadsheet_text(f"{quiz.title} (late penalty %)"),
        ]
    for exercise in book.exercises:
        header += [
            spreadsheet_text(f"{exercise.title} (score, of {exercise.points:g} points)"),
            spreadsheet_text(
                f"{exercise.title} (counted, of {exercise.points:g} points, {counts})"
            ),
            spreadsheet_text(f"{exercise.title} (late penalty %)"),
            spreadsheet_text(f"{exercise.title} (score changed by staff)"),
        ]
    return header + ["points earned", "points possible", "percent"]


def _gradebook_line(row, book) -> list[str]:
    line = [
        spreadsheet_text(row.user.get_username()),
        spreadsheet_text(display_name(row.user)),
        spreadsheet_text(row.user.email),
    ]
    for score in row.quiz_scores:
        line += _score_cells(score, 100)
    for score, exercise in zip(row.exercise_scores, book.exercises, strict=True):
        line += _score_cells(score, exercise.points) + ["yes" if score.changed else ""]
    return line + [
        spreadsheet_number(row.earned),
        spreadsheet_number(row.possible),
        spreadsheet_number(row.percent),
    ]


@login_required
@require_GET
def cohort_gradebook_csv(request, cohort_uuid):
    """The gradebook as CSV, streamed: the header goes out before any score is read, then
    the students a chunk at a time (teaching/selectors/gradebook.py), so the first byte
    is quick and memory stays that of one chunk whatever the cohort's size."""
    cohort = cohort_for_staff(user=request.user, uuid=cohort_uuid)
    book = gradebook_selectors.cohort_gradebook(cohort=cohort, chunk=gradebook_selectors.CHUNK)
    filename = f"{slugify(cohort.name) or 'cohort'}-gradebook-{timezone.now():%Y-%m-%d}.csv"
    writer = csv.writer(_Line())

    def lines():
        # The BOM makes Excel read the file as UTF-8; the csv module ends rows with CRLF.
        yield "\ufeff" + writer.writerow(_gradebook_header(cohort, book))
        for row in book.rows:
            yield writer.writerow(_gradebook_line(row, book))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
