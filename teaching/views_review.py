"""Feedback on code, the staff's side: one submission of a cohort's student with its
lines, comments, score overrides and regrade requests (instructors and assistants;
overriding a score is the instructors'), and the queue of what waits for an answer. The
rules are in grading/feedback.py; a submission not of this cohort's students is a 404."""

import math
import uuid as uuid_module

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from grading import feedback

from .access import cohort_for_staff


def _site(request) -> str:
    return request.build_absolute_uri("/")


def _line(value: str) -> int | None:
    """A line number from a form or the query string; "" is the whole submission."""
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdecimal() or len(value) > 7:
        raise ValueError("A line is a whole number, or none for the whole submission.")
    return int(value)


def _shown_line(value: str, submission) -> int | None:
    """The line under which to open the comment form: a line of the submission, or none."""
    try:
        return feedback.line_check(_line(value), submission)
    except ValueError:
        return None


def _percent(value: str) -> float:
    try:
        percent = float((value or "").strip().rstrip("%"))
    except ValueError:
        raise ValueError("The score is a percentage, from 0 to 100.") from None
    if not math.isfinite(percent) or not 0 <= percent <= 100:
        raise ValueError("The score is a percentage, from 0 to 100.")
    return percent / 100


def _page_url(cohort, submission, anchor: str = "") -> str:
    url = reverse("teaching:review", args=[cohort.uuid, submission.uuid])
    return f"{url}#{anchor}" if anchor else url


def _render(request, cohort, submission, *, status=200, line=None, errors=None, form=None):
    review = feedback.submission_review(cohort=cohort, submission=submission, viewer=request.user)
    context = {
        "cohort": cohort,
        "review": review,
        "submission": submission,
        "comment_line": line,
        # The form a refused comment came from, to show its error and keep its text.
        "error_form": "line-comment" if line else "whole-comment",
        "errors": errors or {},
        "form": form or {},
    }
    return render(request, "teaching/review.html", context, status=status)


@login_required
@require_GET
def review_page(request, cohort_uuid, submission_uuid):
    cohort = cohort_for_staff(user=request.user, uuid=cohort_uuid)
    submission = feedback.review_submission_get(cohort=cohort, uuid=submission_uuid)
    line = _shown_line(request.GET.get("line", ""), submission)
    return _render(request, cohort, submission, line=line)


@login_required
@require_POST
def review_comment(request, cohort_uuid, submission_uuid):
    cohort = cohort_for_staff(user=request.user, uuid=cohort_uuid)
    submission = feedback.review_submission_get(cohort=cohort, uuid=submission_uuid)
    body = request.POST.get("body", "")
    raw_line = request.POST.get("line", "")
    try:
        line = _line(raw_line)
        reply_to = None
        if request.POST.get("reply_to"):
            try:
                target = uuid_module.UUID(request.POST["reply_to"])
            except ValueError:
                raise Http404("No such comment.") from None
            reply_to = feedback.comment_get(submission=submission, uuid=target)
        comment = feedback.comment_add(
            submission=submission,
            author=request.user,
            body=body,
            line=line,
            reply_to=reply_to,
            site_url=_site(request),
        )
    except ValueError as exc:
        return _render(
            request,
            cohort,
            submission,
            status=400,
            line=_shown_line(raw_line, submission),
            errors={"comment": str(exc)},
            form={"body": body, "line": raw_line},
        )
    messages.success(request, "Comment posted; the student is notified.")
    return redirect(_page_url(cohort, submission, f"c-{comment.uuid}"))


@login_required
@require_POST
def review_override(request, cohort_uuid, submission_uuid):
    cohort = cohort_for_staff(user=request.user, uuid=cohort_uuid)
    submission = feedback.review_submission_get(cohort=cohort, uuid=submission_uuid)
    reason = request.POST.get("reason", "")
    try:
        feedback.score_override(
            submission=submission,
            score=_percent(request.POST.get("score", "")),
            reason=reason,
            by=request.user,
            site_url=_site(request),
        )
    except ValueError as exc:
        return _render(
            request,
            cohort,
            submission,
            status=400,
            errors={"override": str(exc)},
            form={"score": request.POST.get("score", ""), "reason": reason},
        )
    messages.success(request, "Score changed; the student is notified.")
    return redirect(_page_url(cohort, submission, "score"))


@login_required
@require_POST
def review_resolve(request, cohort_uuid, submission_uuid, request_uuid):
    cohort = cohort_for_staff(user=request.user, uuid=cohort_uuid)
    submission = feedback.review_submission_get(cohort=cohort, uuid=submission_uuid)
    regrade_request = feedback.regrade_request_get(submission=submission, uuid=request_uuid)
    try:
        feedback.review_resolve(
            regrade_request=regrade_request, by=request.user, site_url=_site(request)
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Request resolved; the student is notified.")
    return redirect(_page_url(cohort, submission, "requests"))


@login_required
@require_GET
def review_queue(request, cohort_uuid):
    cohort = cohort_for_staff(user=request.user, uuid=cohort_uuid)
    context = {"cohort": cohort, "queue": feedback.review_queue(cohort=cohort)}
    return render(request, "teaching/review_queue.html", context)
