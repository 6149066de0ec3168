"""A cohort's announcements (/teach/cohorts/<uuid>/announcements/): what has been posted,
how many students have read and put each away, whether its e-mails went out; the form to
post one and the buttons to e-mail again or withdraw, for the cohort's instructors. Its
assistants read the page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from courses import announcements
from courses.mail import mail_configured
from courses.models import Announcement

from .access import cohort_for_instructor, cohort_for_staff
from .forms_announcements import AnnouncementActionForm, AnnouncementForm


def _page_url(cohort) -> str:
    return reverse("teaching:announcements", args=[cohort.uuid])


def _site(request) -> str:
    return request.build_absolute_uri("/")


def _render(request, cohort, *, form=None, status=200):
    return render(
        request,
        "teaching/announcements.html",
        {
            "cohort": cohort,
            "rows": announcements.cohort_announcements(cohort=cohort),
            "may_edit": cohort.can_manage(request.user),
            "mail_configured": mail_configured(),
            "form": form or AnnouncementForm(auto_id="announce_%s"),
        },
        status=status,
    )


@login_required
@require_GET
def announcements_page(request, cohort_uuid):
    return _render(request, cohort_for_staff(user=request.user, uuid=cohort_uuid))


@login_required
@require_POST
def announcement_post(request, cohort_uuid):
    cohort = cohort_for_instructor(user=request.user, uuid=cohort_uuid)
    form = AnnouncementForm(request.POST, auto_id="announce_%s")
    if not form.is_valid():
        return _render(request, cohort, form=form, status=400)
    data = form.cleaned_data
    try:
        posted = announcements.announcement_post(
            cohort=cohort,
            author=request.user,
            title=data["title"],
            body=data["body"],
            email=data["email"],
        )
    except ValueError as refused:
        form.add_error(None, str(refused))
        return _render(request, cohort, form=form, status=400)
    if posted.email_requested and not announcements.queue_mail(posted, site_url=_site(request)):
        messages.warning(
            request,
            "Posted. The e-mails could not be queued just now: use “Queue its e-mail again” in a moment.",
        )
    elif posted.email_requested:
        messages.success(request, "Posted, and the e-mails are on their way.")
    else:
        messages.success(request, "Posted: the students see it on the course page.")
    return redirect(_page_url(cohort))


def _announcement(request, cohort) -> Announcement:
    form = AnnouncementActionForm(request.POST)
    if not form.is_valid():
        raise Http404("No such announcement.")
    found = cohort.announcements.filter(uuid=form.cleaned_data["announcement"]).first()
    if found is None:
        raise Http404("No such announcement.")
    return found


@login_required
@require_POST
def announcement_mail(request, cohort_uuid):
    cohort = cohort_for_instructor(user=request.user, uuid=cohort_uuid)
    announcement = _announcement(request, cohort)
    try:
        queued = announcements.announcement_mail_again(
            announcement=announcement, by=request.user, site_url=_site(request)
        )
    except ValueError as refused:
        messages.error(request, str(refused))
    else:
        if queued:
            messages.success(request, f"The e-mails of “{announcement.title}” are on their way.")
        else:
            messages.warning(request, "The e-mails could not be queued just now; try again soon.")
    return redirect(_page_url(cohort))


@login_required
@require_POST
def announcement_withdraw(request, cohort_uuid):
    cohort = cohort_for_instructor(user=request.user, uuid=cohort_uuid)
    announcement = _announcement(request, cohort)
    announcements.announcement_withdraw(announcement=announcement, by=request.user)
    messages.success(request, f"Withdrew “{announcement.title}” from the course page.")
    return redirect(_page_url(cohort))
