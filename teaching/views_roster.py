"""A cohort's roster (/teach/cohorts/<uuid>/roster/): members and when they joined,
archived students, pending invitations, the invitation form, archiving and the assistant
role. Its instructors and staff change it; its assistants may read it. And where an
e-mailed invitation leads (/invitations/<token>/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses import roster
from courses.middleware import forget_viewer_zone
from courses.models import Invitation, Membership

from .access import cohort_for_instructor, cohort_for_staff
from .forms_roster import InvitationForm, InviteForm, MemberForm, RoleForm


def _roster_url(cohort, anchor: str = "") -> str:
    return reverse("teaching:roster", args=[cohort.uuid]) + anchor


def _report_key(cohort) -> str:
    return f"roster-report:{cohort.uuid}"


def _render(request, cohort, *, form=None, status=200):
    return render(
        request,
        "teaching/roster.html",
        {
            "cohort": cohort,
            "roster": roster.cohort_roster(cohort=cohort),
            "may_edit": cohort.can_manage(request.user),
            "form": form or InviteForm(auto_id="invite_%s"),
            # The last invitation's report, shown once after the redirect.
            "report": request.session.pop(_report_key(cohort), None),
        },
        status=status,
    )


@login_required
@require_GET
def roster_page(request, cohort_uuid):
    return _render(request, cohort_for_staff(user=request.user, uuid=cohort_uuid))


def _links(request, cohort):
    def link_for(invitation: Invitation) -> str:
        return request.build_absolute_uri(reverse("invitations:accept", args=[invitation.token]))

    course_url = request.build_absolute_uri(
        reverse("courses:course", kwargs={"course_slug": cohort.course.slug})
    )
    return link_for, course_url


@login_required
@require_POST
def roster_invite(request, cohort_uuid):
    cohort = cohort_for_instructor(user=request.user, uuid=cohort_uuid)
    form = InviteForm(request.POST, request.FILES, auto_id="invite_%s")
    if form.is_valid():
        link_for, course_url = _links(request, cohort)
        try:
            report = roster.invite(
                cohort=cohort,
                invited_by=request.user,
                link_for=link_for,
                course_url=course_url,
                text=form.cleaned_data["addresses"],
                csv_data=form.csv_data(),
                role=form.cleaned_data["role"],
            )
        except roster.InputRefused as refused:
            form.add_error("csv_file" if refused.field == "file" else "addresses", str(refused))
        else:
            request.session[_report_key(cohort)] = report.as_dict()
            done = report.invited or report.linked
            (messages.success if done else messages.warning)(
                request, f"Invitations: {report.summary()} The details are below."
            )
            return redirect(_roster_url(cohort, "#report"))
    return _render(request, cohort, form=form, status=400)


def _membership(request, cohort, form_class=MemberForm):
    """(membership, form) named by the POST; 404 for anyone not in this cohort."""
    form = form_class(request.POST)
    if not form.is_valid():
        raise Http404("No such member.")
    membership = (
        Membership.objects.filter(cohort=cohort, user_id=form.cleaned_data["member"])
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404("No such member of this cohort.")
    return membership, form


def _pending(request, cohort) -> Invitation:
    form = InvitationForm(request.POST)
    invitation = None
    if form.is_valid():
        invitation = (
            Invitation.objects.filter(cohort=cohort, pk=form.cleaned_data["invitation"])
            .select_related("cohort__course", "invited_by")
            .first()
        )
    if invitation is None:
        raise Http404("No such invitation in this cohort.")
    return invitation


def _who(membership) -> str:
    return membership.user.get_username()


def _refused(request, cohort, refused: roster.RosterRefused, anchor: str):
    messages.error(request, str(refused))
    return redirect(_roster_url(cohort, anchor))


@login_required
@require_POST
def member_archive(request, cohort_uuid):
    cohort = cohort_for_instructor(user=request.user, uuid=cohort_uuid)
    membership, _ = _membership(request, cohort)
    try:
        roster.archive(membership=membership)
    except roster.RosterRefused as refused:
        return _refused(request, cohort, refused, "#members")
    messages.success(
        request,
        f"{_who(membership)} is archived: off the dashboards and the gradebook, their work "
        "kept. Restore them from the archived list.",
    )
    return redirect(_roster_url(cohort, "#archived"))


@login_required
@require_POST
def member_restore(request, cohort_uuid):
    cohort = cohort_for_instructor(user=request.user, uuid=cohort_uuid)
    membership, _ = _membership(request, cohort)
    try:
        roster.restore(membership=membership)
    except roster.RosterRefused as refused:
        return _refused(request, cohort, refused, "#archived")
    messages.success(request, f"{_who(membership)} is back on the roster, with all their work.")
    return redirect(_roster_url(cohort, "#members"))


@login_required
@require_POST
def member_role(request, cohort_uuid):
    cohort = cohort_for_instructor(user=request.user, uuid=cohort_uuid)
    membership, form = _membership(request, cohort, RoleForm)
    try:
        roster.set_role(membership=membership, role=form.cleaned_data["role"])
    except roster.RosterRefused as refused:
        return _refused(request, cohort, refused, "#members")
    messages.success(
        request, f"{_who(membership)} is now a {membership.get_role_display()} of this cohort."
    )
    return redirect(_roster_url(cohort, "#members"))


@login_required
@require_POST
def invitation_resend(request, cohort_uuid):
    cohort = cohort_for_instructor(user=request.user, uuid=cohort_uuid)
    invitation = _pending(request, cohort)
    link_for, _ = _links(request, cohort)
    try:
        roster.invitation_resend(invitation=invitation, link=link_for(invitation))
    except roster.RosterRefused as refused:
        return _refused(request, cohort, refused, "#pending")
    except OSError as error:
        messages.error(request, f"The e-mail to {invitation.email} could not be sent ({error}).")
    else:
        messages.success(request, f"The invitation was sent again to {invitation.email}.")
    return redirect(_roster_url(cohort, "#pending"))


@login_required
@require_POST
def invitation_cancel(request, cohort_uuid):
    cohort = cohort_for_instructor(user=request.user, uuid=cohort_uuid)
    invitation = _pending(request, cohort)
    try:
        roster.invitation_cancel(invitation=invitation)
    except roster.RosterRefused as refused:
        return _refused(request, cohort, refused, "#pending")
    messages.success(
        request, f"The invitation to {invitation.email} is cancelled; its link no longer works."
    )
    return redirect(_roster_url(cohort, "#pending"))


# The invitation link -----------------------------------------------------------------------


def _may_accept(invitation: Invitation, membership: Membership | None) -> bool:
    """Whether accepting would change anything: no membership yet, an archived one, or a
    lower role than the invitation's. Otherwise the page says so and keeps the link
    unused, for the person it was meant for."""
    if membership is None or membership.archived_at is not None:
        return True
    return roster.RANK[invitation.role] > roster.RANK[membership.role]


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """GET shows what the link is for and never enrols (mail clients and link previews
    open links); POST accepts. Anyone not signed in is asked to log in or sign up and
    comes back here."""
    found = roster.invitation_get(token=token)
    if found is None:
        return render(request, "teaching/invitation_invalid.html", status=404)
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        return render(request, "teaching/invitation_welcome.html", {"invitation": found})
    if found.accepted_at is not None and found.accepted_by_id != request.user.pk:
        return render(request, "teaching/invitation_used.html", {"invitation": found}, status=410)
    cohort = found.cohort
    if request.method == "POST":
        try:
            membership = roster.accept(token=token, user=request.user)
            forget_viewer_zone(request)
        except roster.InvitationUsed:
            return render(
                request, "teaching/invitation_used.html", {"invitation": found}, status=410
            )
        messages.success(request, f"You are in “{cohort.name}” as {membership.get_role_display()}.")
        return redirect("courses:course", course_slug=cohort.course.slug)
    membership = Membership.objects.filter(cohort=cohort, user=request.user).first()
    return render(
        request,
        "teaching/invitation_confirm.html",
        {
            "invitation": found,
            "cohort": cohort,
            "membership": membership,
            "accepted": found.accepted_at is not None,
            "may_accept": found.accepted_at is None and _may_accept(found, membership),
        },
    )
