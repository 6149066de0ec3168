"""A cohort's schedule: its time zone, which attempt counts (the best or the latest), every
item's open date, due date and late policy (set for a group of items at once), and the
extensions granted. The cohort's instructors and staff change the schedule; its teaching
assistants read it and grant or revoke extensions (teaching.access.cohort_for_staff)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from courses.middleware import forget_viewer_zone
from courses.models import Cohort
from courses.schedule import when
from courses.services import (
    cohort_score_policy_set,
    cohort_time_zone_set,
    extension_grant,
    extension_revoke,
    schedule_entries_clear,
    schedule_entries_set,
)

from .access import cohort_for_instructor, cohort_for_staff
from .forms_schedule import ExtensionForm, ScheduleForm, ScorePolicyForm, TimeZoneForm
from .selectors import schedule as schedule_selectors
from .selectors.items import KINDS, display_name
from .selectors.schedule import SchedulePage, item_key, local_input

# The pages.


# The groups a link ticks at once (?select=...), with their names on the page.
TICK_GROUPS = [
    ("all", "all"),
    ("lesson", "lessons"),
    ("quiz", "checkpoints"),
    ("exercise", "exercises"),
]


def _schedule_url(cohort) -> str:
    # At the top of the page, where the message saying what changed is shown.
    return reverse("teaching:schedule", args=[cohort.uuid])


def _initial_values(page: SchedulePage, request) -> dict:
    """?edit=kind:slug fills the form with that item's values; ?select=all (or a kind)
    ticks a group of items."""
    chosen = request.GET.get("select", "")
    if chosen == "all" or chosen in KINDS:
        return {"items": [r.key for r in page.rows if chosen in ("all", r.item.kind)]}
    row = page.row(request.GET.get("edit", ""))
    if row is None:
        return {}
    initial = {"items": [row.key]}
    if row.entry is not None:
        entry = row.entry
        initial.update(
            opens_at=local_input(entry.opens_at, page.tz),
            due_at=local_input(entry.due_at, page.tz),
            policy=entry.policy,
            penalty_percent=f"{entry.penalty_percent:g}",
            penalty_unit=entry.penalty_unit,
            floor_percent=f"{entry.floor_percent:g}",
            hide_scores=entry.hide_scores,
        )
    return initial


def _render(
    request,
    page: SchedulePage,
    *,
    schedule_form=None,
    extension_form=None,
    zone_form=None,
    policy_form=None,
    status=200,
):
    schedule_form = schedule_form or ScheduleForm(
        page=page, initial=_initial_values(page, request), auto_id="schedule_%s"
    )
    selected = schedule_form["items"].value() or []
    return render(
        request,
        "teaching/schedule.html",
        {
            "cohort": page.cohort,
            "page": page,
            "form": schedule_form,
            "selected": set(selected),
            "extension_form": extension_form or ExtensionForm(page=page, auto_id="extension_%s"),
            "zone_form": zone_form
            or TimeZoneForm(initial={"time_zone": page.tz.key}, auto_id="zone_%s"),
            "policy_form": policy_form
            or ScorePolicyForm(
                initial={"score_policy": page.cohort.score_policy}, auto_id="policy_%s"
            ),
            "tick_groups": TICK_GROUPS,
            "may_edit_schedule": page.cohort.can_manage(request.user),
        },
        status=status,
    )


def _page(request, cohort_uuid, *, edits_schedule: bool = True) -> SchedulePage:
    """The page's data for whoever may do what is asked: changing the schedule is for
    instructors; reading it and extensions are for the cohort's staff, assistants too."""
    find = cohort_for_instructor if edits_schedule else cohort_for_staff
    cohort = find(user=request.user, uuid=cohort_uuid)
    return schedule_selectors.cohort_schedule(cohort=cohort)


def _items(count: int) -> str:
    return f"{count} item{'' if count == 1 else 's'}"


@login_required
@require_GET
def schedule_page(request, cohort_uuid):
    return _render(request, _page(request, cohort_uuid, edits_schedule=False))


@login_required
@require_POST
def schedule_time_zone(request, cohort_uuid):
    page = _page(request, cohort_uuid)
    form = TimeZoneForm(request.POST, auto_id="zone_%s")
    if not form.is_valid():
        return _render(request, page, zone_form=form, status=400)
    cohort_time_zone_set(cohort=page.cohort, time_zone=form.cleaned_data["time_zone"])
    forget_viewer_zone(request)  # this instructor's pages follow at once
    messages.success(
        request, f"Dates are now shown in {form.cleaned_data['time_zone']}; none of them moved."
    )
    return redirect(_schedule_url(page.cohort))


@login_required
@require_POST
def schedule_score_policy(request, cohort_uuid):
    page = _page(request, cohort_uuid)
    form = ScorePolicyForm(request.POST, auto_id="policy_%s")
    if not form.is_valid():
        return _render(request, page, policy_form=form, status=400)
    policy = Cohort.ScorePolicy(form.cleaned_data["score_policy"])
    was = Cohort.ScorePolicy(page.cohort.score_policy)
    if cohort_score_policy_set(cohort=page.cohort, policy=policy):
        messages.success(
            request,
            f"The {policy.label} now counts for every student and item (it was the "
            f"{was.label}); the gradebook and the dashboards show it already.",
        )
    else:
        messages.info(request, f"The {policy.label} already counted; nothing changed.")
    return redirect(_schedule_url(page.cohort))


@login_required
@require_POST
def schedule_items(request, cohort_uuid):
    page = _page(request, cohort_uuid)
    form = ScheduleForm(request.POST, page=page, auto_id="schedule_%s")
    if not form.is_valid():
        return _render(request, page, schedule_form=form, status=400)
    keys = form.cleaned_data["items"]
    if form.clearing:
        entries, extensions = schedule_entries_clear(cohort=page.cohort, keys=keys)
        also = ""
        if extensions:
            also = f" and {extensions} extension{'' if extensions == 1 else 's'}"
        messages.success(request, f"Cleared the schedule of {_items(entries)}{also}.")
    else:
        values = form.values()
        schedule_entries_set(cohort=page.cohort, keys=keys, values=values)
        due = f", due {when(values['due_at'], page.tz)}" if values["due_at"] else ""
        messages.success(request, f"Scheduled {_items(len(keys))}{due}.")
    return redirect(_schedule_url(page.cohort))


@login_required
@require_POST
def schedule_extension_grant(request, cohort_uuid):
    page = _page(request, cohort_uuid, edits_schedule=False)
    form = ExtensionForm(request.POST, page=page, auto_id="extension_%s")
    if not form.is_valid():
        return _render(request, page, extension_form=form, status=400)
    user = form.user
    extension_grant(
        entry=form.entry,
        user=user,
        due_at=form.cleaned_data["due_at"],
        reason=form.cleaned_data["reason"],
        granted_by=request.user,
    )
    row = page.row(form.cleaned_data["item"])
    who = "the whole cohort" if user is None else display_name(user)
    messages.success(
        request,
        f"{row.item.title} is now due {when(form.cleaned_data['due_at'], page.tz)} for {who}.",
    )
    return redirect(_schedule_url(page.cohort))


@login_required
@require_POST
def schedule_extension_revoke(request, cohort_uuid):
    page = _page(request, cohort_uuid, edits_schedule=False)
    extension_id = request.POST.get("extension", "")
    revoked = None
    if extension_id.isdigit():
        revoked = extension_revoke(cohort=page.cohort, extension_id=int(extension_id))
    if revoked is None:
        messages.warning(request, "That extension was already revoked.")
    else:
        row = page.row(item_key(revoked.entry.kind, revoked.entry.slug))
        who = "the whole cohort" if revoked.user is None else display_name(revoked.user)
        title = row.item.title if row is not None else revoked.entry.slug
        messages.success(request, f"Revoked the extension of {title} for {who}.")
    return redirect(_schedule_url(page.cohort))
