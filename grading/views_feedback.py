"""The student's side of feedback on code: replying to comments and asking for a regrade
review of one of their own submissions (POST, back to the exercise page), and their
notifications. Someone else's submission or notification is a 404, never a 403."""

import uuid as uuid_module

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from . import feedback
from .models import Notification


def _site(request) -> str:
    return request.build_absolute_uri("/")


def _uuid_or_none(value: str):
    if not value:
        return None
    try:
        return uuid_module.UUID(value)
    except ValueError:
        raise Http404("No such comment.") from None


@login_required
@require_POST
def reply(request, submission_uuid):
    submission = feedback.own_submission_get(user=request.user, uuid=submission_uuid)
    reply_to = _uuid_or_none(request.POST.get("reply_to", ""))
    if reply_to is not None:
        reply_to = feedback.comment_get(submission=submission, uuid=reply_to)
    try:
        comment = feedback.comment_add(
            submission=submission,
            author=request.user,
            body=request.POST.get("body", ""),
            reply_to=reply_to,
            site_url=_site(request),
        )
    except (ValueError, PermissionDenied) as exc:
        messages.error(request, f"Your reply was not sent: {exc}")
        return redirect(feedback.exercise_page_url(submission))
    messages.success(request, "Your reply was sent to your instructors.")
    return redirect(feedback.exercise_page_url(submission, anchor=f"c-{comment.uuid}"))


@login_required
@require_POST
def review_request(request, submission_uuid):
    submission = feedback.own_submission_get(user=request.user, uuid=submission_uuid)
    try:
        feedback.review_request(
            submission=submission,
            student=request.user,
            message=request.POST.get("message", ""),
            site_url=_site(request),
        )
    except (ValueError, PermissionDenied) as exc:
        messages.error(request, f"Not sent: {exc}")
    else:
        messages.success(request, "Your request was sent to your instructors.")
    return redirect(feedback.exercise_page_url(submission))


@login_required
@require_GET
def notifications(request):
    rows = feedback.notifications_for(user=request.user)
    context = {"notifications": rows, "unread": sum(1 for n in rows if not n.is_read)}
    response = render(request, "grading/notifications.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def notifications_read(request):
    """Mark one notification read (``notification`` = its uuid), or all of them."""
    one = request.POST.get("notification", "")
    target = _uuid_or_none(one) if one else None
    feedback.notifications_mark_read(user=request.user, uuid=target)
    return redirect("grading:notifications")


@login_required
@require_POST
def notification_open(request, notification_uuid):
    """Mark it read and go where it points (a path on this site only)."""
    notification = get_object_or_404(Notification, uuid=notification_uuid, user=request.user)
    feedback.notifications_mark_read(user=request.user, uuid=notification.uuid)
    url = notification.url
    safe = url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(url if safe else "grading:notifications")
