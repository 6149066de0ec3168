"""The exercise page and the diff between two attempts. A student only ever sees their
own submissions and draft: every lookup below is filtered by request.user, and anything
else is a 404 (not a 403, which would confirm that the id exists)."""

import difflib
import math
import re
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from courses.models import Exercise, ScheduleEntry
from courses.schedule import item_deadline
from courses.selectors import (
    Withheld,
    course_get,
    deadline_note,
    late_note,
    withheld_by,
)
from judge.signature import parameter_names

from . import feedback, selectors, services
from .models import Draft, Submission

_LEADING_H1 = re.compile(r"\A\s*<h1\b[^>]*>.*?</h1>\s*", re.S)


def _statement_body(exercise: Exercise) -> str:
    """The statement without its own leading title: the page's <h1> already says it, and
    two level-one headings would confuse the outline screen readers navigate by."""
    return _LEADING_H1.sub("", exercise.statement_html, count=1)


def _exercise_get(*, course_slug: str, exercise_slug: str, user) -> Exercise:
    course = course_get(slug=course_slug, user=user)
    return get_object_or_404(
        Exercise.objects.select_related("course", "lesson"),
        course=course,
        slug=exercise_slug,
        is_active=True,
    )


def _own_submission(*, user, exercise, uuid) -> Submission:
    return get_object_or_404(Submission, student=user, exercise=exercise, uuid=uuid)


def _api_paths(exercise: Exercise) -> dict:
    # The API names exercises by slug alone; ?course= picks this course's when another
    # course has an exercise of the same name.
    base = f"/api/v1/exercises/{exercise.slug}"
    course = f"?course={exercise.course.slug}"
    return {
        "submit": f"{base}/submissions{course}",
        "draft": f"{base}/draft{course}",
    }


@login_required
@require_http_methods(["GET", "POST"])
def exercise(request, course_slug, exercise_slug):
    exercise = _exercise_get(
        course_slug=course_slug, exercise_slug=exercise_slug, user=request.user
    )
    if request.method == "POST":
        return _submit_without_js(request, exercise)

    submissions = list(
        Submission.objects.filter(student=request.user, exercise=exercise).order_by(
            "-created_at", "-attempt"
        )
    )
    shown = submissions[0] if submissions else None
    if "submission" in request.GET:
        try:
            shown = next(s for s in submissions if str(s.uuid) == request.GET["submission"])
        except StopIteration:
            shown = None
            messages.error(request, "That attempt is not one of yours.")
    draft = Draft.objects.filter(student=request.user, exercise=exercise).first()
    # The student's own dates for the exercise; before the due date of an exam-style
    # schedule, results are withheld here as in the API (hints too: they unlock with
    # failed attempts, so they would tell).
    now = timezone.now()
    deadline = item_deadline(
        user=request.user,
        course=exercise.course,
        kind=ScheduleEntry.Kind.EXERCISE,
        slug=exercise.slug,
    )
    withheld = withheld_by(
        deadline, viewer=request.user, exercise=exercise, now=now, names=bool(submissions)
    )
    failed = 0 if withheld else selectors.failed_attempts(user=request.user, exercise=exercise)
    hints = list(exercise.hints or [])
    page_url = reverse("grading:exercise", args=[exercise.course.slug, exercise.slug])
    history = [
        {
            "submission": s,
            "verdict_text": s.headline or s.get_state_display(),
            "score_percent": None if s.score is None or withheld else round(s.score * 100),
            "withheld": withheld is not None,
            "late_note": late_note(late_by_s=s.late_by_s, score_factor=s.score_factor),
            "previous": submissions[i + 1] if i + 1 < len(submissions) else None,
        }
        for i, s in enumerate(submissions)
    ]
    context = {
        "course": exercise.course,
        "exercise": exercise,
        "statement_html": _statement_body(exercise),
        "source": draft.source if draft else exercise.starter_code,
        "draft": draft,
        "history": history,
        "hints": hints[:failed],
        "locked_hints": max(0, len(hints) - failed),
        "shown": _result_view(shown, withheld=withheld) if shown else None,
        # Comments, a changed score and the review request of the attempt shown.
        "feedback": feedback.feedback_for(student=request.user, submission=shown),
        "deadline": deadline_note(deadline, now=now),
        "withheld": withheld,
        "page_url": page_url,
        "api": _api_paths(exercise),
    }
    return render(request, "grading/exercise.html", context)


def _submit_without_js(request, exercise):
    """The plain-form fallback: the same service the API calls, then back to the page
    (post/redirect/get) showing the new attempt, which reloads until it is graded."""
    source = request.POST.get("source", "").replace("\r\n", "\n")
    page = reverse("grading:exercise", args=[exercise.course.slug, exercise.slug])
    try:
        services.draft_save(student=request.user, exercise=exercise, source=source)
        submission, created = services.submission_create(
            student=request.user, exercise=exercise, source=source
        )
    except services.SubmissionThrottled as exc:
        messages.error(request, f"Not submitted: {exc} Your code is kept as a draft.")
        return redirect(page)
    except services.SubmissionRejected as exc:
        messages.error(request, f"Not submitted: {str(exc).rstrip('.')}.")
        return redirect(page)
    if not created:
        messages.info(
            request,
            f"You already submitted exactly this code as attempt {submission.attempt}; "
            "here is its result.",
        )
    return redirect(f"{page}?submission={submission.uuid}#result")


def _shape_text(shape) -> str:
    if not shape:
        return "scalar"
    return f"({shape[0]},)" if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"


def _python_text(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_python_text(v) for v in value) + "]"
    if value is None or isinstance(value, bool):
        return repr(value)
    return str(value)


def _format_value(value) -> str:
    """A failing input's summary (judge.compare.summarize) as Python-like text; the
    page's script formats the same way (static/src/exercise/format.js)."""
    if isinstance(value, dict) and isinstance(value.get("shape"), list):
        if "array" in value:
            if not value["shape"]:
                return _python_text(value["array"])
            return f"array({_python_text(value['array'])})  shape {_shape_text(value['shape'])}"
        if "first" in value:
            total = math.prod(value["shape"])
            return (
                f"array of shape {_shape_text(value['shape'])} ({total} values), "
                f"starting {_python_text(value['first'])} …"
            )
    if isinstance(value, str):
        return value
    if (
        isinstance(value, dict)
        and list(value) == ["function"]
        and isinstance(value["function"], str)
    ):
        return value["function"]  # a test function, as the statement would write it
    if isinstance(value, list):
        return "[" + ", ".join(_format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_format_value(v)}" for k, v in value.items()) + "}"
    return _python_text(value)


def _failing_rows(failing, params: list[str]) -> list[tuple[str, str]]:
    """(name, value) pairs, the grader's arg1, arg2... named after the signature, in the
    signature's order (PostgreSQL's jsonb keeps keys shortest first)."""
    if not isinstance(failing, dict):
        return []
    rows = []
    for key, value in failing.items():
        positional = re.fullmatch(r"arg(\d+)", key)
        if positional:
            index = int(positional[1])
            key = params[index - 1] if index <= len(params) else f"argument {index}"
        rows.append((key, _format_value(value)))
    place = {name: index for index, name in enumerate(params)}
    return sorted(rows, key=lambda row: place.get(row[0], len(params)))


def _is_plot(check: dict) -> bool:
    """A check worth nothing that draws a figure (or will, once refined): shown under
    Plots, without a ✓ that would vouch for the path it draws."""
    if check.get("points") or check.get("advisory"):
        return False
    return bool(check.get("figure")) or bool(check.get("refine") and check.get("passed"))


def _result_view(submission: Submission, *, withheld: Withheld | None = None) -> dict:
    late = late_note(late_by_s=submission.late_by_s, score_factor=submission.score_factor)
    if withheld is not None:
        # Exam style, before the due date: received and graded, and the checks' names.
        return {
            "submission": submission,
            "withheld": withheld,
            "late_note": late,
            "message": (submission.result or {}).get("message", "")
            if submission.is_blocked
            else "",
            "verdict_text": submission.headline if submission.is_blocked else "",
        }
    result = submission.result or {}
    exercise = submission.exercise
    params = parameter_names(exercise.signature, exercise.entry, exercise.kind)
    checks, plots = [], []
    for check in result.get("checks") or []:
        rows = [] if check.get("passed") else _failing_rows(check.get("failing_input"), params)
        (plots if _is_plot(check) else checks).append({**check, "failing_rows": rows})
    score = submission.score
    return {
        "submission": submission,
        "verdict_text": submission.headline,
        "score_percent": None if score is None else round(score * 100),
        # What counts of a late attempt's score, when that is less than all of it.
        "counted_percent": round(score * submission.score_factor * 100)
        if score is not None and submission.score_factor < 1
        else None,
        "late_note": late,
        "message": result.get("message", ""),
        "checks": checks,
        "plots": plots,
        "stdout": result.get("stdout", ""),
        "stderr": result.get("stderr", ""),
        "error": next((c["error"] for c in checks if c.get("error")), None),
        "has_figures": any(c.get("figure") for c in plots + checks),
    }


def _diff_rows(old: str, new: str, context: int = 3) -> list[dict]:
    """Unified-diff hunks as rows: line numbers on both sides and a +/−/space mark, so a
    change reads without relying on colour."""
    a, b = old.splitlines(), new.splitlines()
    rows = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        rows.append(
            {
                "kind": "hunk",
                "text": f"@@ −{first[1] + 1},{last[2] - first[1]} "
                f"+{first[3] + 1},{last[4] - first[3]} @@",
            }
        )
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for offset, line in enumerate(a[i1:i2]):
                    rows.append(
                        {
                            "kind": "same",
                            "mark": " ",
                            "old": i1 + offset + 1,
                            "new": j1 + offset + 1,
                            "text": line,
                        }
                    )
                continue
            for offset, line in enumerate(a[i1:i2]):
                rows.append(
                    {"kind": "del", "mark": "−", "old": i1 + offset + 1, "new": "", "text": line}
                )
            for offset, line in enumerate(b[j1:j2]):
                rows.append(
                    {"kind": "add", "mark": "+", "old": "", "new": j1 + offset + 1, "text": line}
                )
    return rows


@login_required
def attempt_diff_pick(request, course_slug, exercise_slug):
    """The "compare any two attempts" form: to the diff of the two picked, if both are
    the student's own."""
    exercise = _exercise_get(
        course_slug=course_slug, exercise_slug=exercise_slug, user=request.user
    )
    try:
        picked = [uuid.UUID(request.GET.get(key, "")) for key in ("a", "b")]
    except ValueError:
        raise Http404("pick two of your attempts") from None
    old, new = (_own_submission(user=request.user, exercise=exercise, uuid=u) for u in picked)
    return redirect("grading:diff", course_slug, exercise_slug, old.uuid, new.uuid)


@login_required
def attempt_diff(request, course_slug, exercise_slug, uuid_a, uuid_b):
    exercise = _exercise_get(
        course_slug=course_slug, exercise_slug=exercise_slug, user=request.user
    )
    old = _own_submission(user=request.user, exercise=exercise, uuid=uuid_a)
    new = _own_submission(user=request.user, exercise=exercise, uuid=uuid_b)
    rows = _diff_rows(old.source, new.source)
    context = {
        "course": exercise.course,
        "exercise": exercise,
        "old": old,
        "new": new,
        "rows": rows,
        "added": sum(1 for r in rows if r["kind"] == "add"),
        "removed": sum(1 for r in rows if r["kind"] == "del"),
    }
    return render(request, "grading/diff.html", context)
