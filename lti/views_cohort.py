"""/lti/cohorts/<uuid>/: a cohort's LMS side for its staff — the LMS courses linked to
it, the last roster sync, and the grades waiting to go or failing; its instructors sync
the roster or send every grade again. How to link an LMS is said when none is."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from courses.models import Cohort
from courses.selectors import cohort_for_manager

from . import passback
from .models import CohortLink, LineItemLink, ScoreSync

ROSTER_TASK = "lti.sync_roster"


def _staff_cohort(request, cohort_uuid) -> Cohort:
    cohort = get_object_or_404(Cohort.objects.select_related("course"), uuid=cohort_uuid)
    if not cohort.can_assist(request.user):
        raise PermissionDenied("These pages are for the cohort's instructors and assistants.")
    return cohort


def _items(cohort: Cohort) -> list[dict]:
    """Per graded item linked in the cohort's LMS courses: its columns and where its
    scores stand (up to date, on the way, failing), in the course's order."""
    links = list(
        LineItemLink.objects.filter(context__cohort_link__cohort=cohort)
        .select_related("exercise__lesson", "quiz__lesson")
        .annotate(
            up_to_date=Count("syncs", filter=Q(syncs__sent__gte=F("syncs__wanted"))),
            on_the_way=Count(
                "syncs", filter=Q(syncs__wanted__gt=F("syncs__sent"), syncs__attempts=0)
            ),
            retrying=Count(
                "syncs", filter=Q(syncs__wanted__gt=F("syncs__sent"), syncs__attempts__gt=0)
            ),
        )
    )
    items: dict[str, dict] = {}
    for link in links:
        entry = items.setdefault(
            link.item_key,
            {"key": link.item_key, "title": link.item_title, "columns": 0, "waiting": 0,
             "up_to_date": 0, "on_the_way": 0, "retrying": 0,
             "order": (getattr(link.item.lesson, "position", 10**6), link.exercise_id is not None,
                       getattr(link.exercise, "position", 0))},
        )  # fmt: skip
        entry["columns"] += 1
        entry["waiting"] += link.url is None
        for count in ("up_to_date", "on_the_way", "retrying"):
            entry[count] += getattr(link, count)
    return sorted(items.values(), key=lambda entry: entry["order"])


@login_required
@require_GET
def cohort_page(request, cohort_uuid):
    cohort = _staff_cohort(request, cohort_uuid)
    links = list(
        CohortLink.objects.filter(cohort=cohort).select_related("context__deployment__registration")
    )
    syncs = ScoreSync.objects.filter(link__context__cohort_link__cohort=cohort)
    grades = syncs.aggregate(
        up_to_date=Count("id", filter=Q(sent__gte=F("wanted"))),
        on_the_way=Count("id", filter=Q(wanted__gt=F("sent"), attempts=0)),
        retrying=Count("id", filter=Q(wanted__gt=F("sent"), attempts__gt=0)),
    )
    failing = list(
        syncs.filter(wanted__gt=F("sent"), attempts__gt=0)
        .select_related("user", "link__exercise", "link__quiz")
        .order_by("-attempts")[:50]
    )
    for sync in failing:
        sync.item_title = sync.link.item_title
    context = {
        "cohort": cohort,
        "links": links,
        "grades": grades,
        "items": _items(cohort),
        "failing": failing,
        "may_act": cohort.can_manage(request.user),
        "tool_urls": {
            "login": request.build_absolute_uri(reverse("lti:login")),
            "launch": request.build_absolute_uri(reverse("lti:launch")),
            "jwks": request.build_absolute_uri(reverse("lti:jwks")),
        },
    }
    return render(request, "lti/cohort.html", context)


@login_required
@require_POST
def roster_sync(request, cohort_uuid):
    cohort = cohort_for_manager(user=request.user, uuid=cohort_uuid)
    links = list(CohortLink.objects.filter(cohort=cohort).values_list("pk", flat=True))
    queued = sum(passback.publish(ROSTER_TASK, pk) for pk in links)
    if not links:
        messages.error(request, "No LMS course is linked to this cohort yet.")
    elif queued == len(links):
        messages.success(request, "The roster is being read from the LMS; reload in a moment.")
    else:
        messages.error(request, "The sync could not be queued just now; try again soon.")
    return redirect("lti:cohort", cohort_uuid=cohort.uuid)


@login_required
@require_POST
def grades_push(request, cohort_uuid):
    """Every student's score in the line items of the cohort's LMS courses (all of them,
    or one item's when the form names it) sent again, after a fix on the LMS's side
    say: each asks for one send."""
    cohort = cohort_for_manager(user=request.user, uuid=cohort_uuid)
    links = list(
        LineItemLink.objects.filter(context__cohort_link__cohort=cohort).select_related(
            "context__deployment", "exercise", "quiz"
        )
    )
    item = request.POST.get("item", "")
    if item:
        links = [link for link in links if link.item_key == item]
        if not links:
            messages.error(request, "That item has no gradebook column in the LMS.")
            return redirect("lti:cohort", cohort_uuid=cohort.uuid)
    wanted = passback.resend(cohort, links)
    what = f" for {links[0].item_title}" if item else ""
    messages.success(
        request, f"{wanted} score{'' if wanted == 1 else 's'}{what} on the way to the LMS."
    )
    return redirect("lti:cohort", cohort_uuid=cohort.uuid)
