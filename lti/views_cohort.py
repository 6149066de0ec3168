"""/lti/cohorts/<uuid>/: a cohort's LMS side for its staff — the LMS courses linked to
it, the last roster sync, and the grades waiting to go or failing; its instructors sync
the roster or send every grade again. How to link an LMS is said when none is."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from lti_tool.models import LtiUser

from courses.models import Cohort, Membership
from courses.selectors import cohort_for_manager
from grading.models import Submission

from . import passback
from .models import CohortLink, LineItemLink, ScoreSync

ROSTER_TASK = "lti.sync_roster"


def _staff_cohort(request, cohort_uuid) -> Cohort:
    cohort = get_object_or_404(Cohort.objects.select_related("course"), uuid=cohort_uuid)
    if not cohort.can_assist(request.user):
        raise PermissionDenied("These pages are for the cohort's instructors and assistants.")
    return cohort


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
        .select_related("user", "link__exercise")
        .order_by("-attempts")[:50]
    )
    context = {
        "cohort": cohort,
        "links": links,
        "grades": grades,
        "failing": failing,
        "line_items": LineItemLink.objects.filter(context__cohort_link__cohort=cohort).count(),
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
    """Every student's score in every line item of the cohort's LMS courses, sent again
    (after a fix on the LMS's side, say): each asks for one send."""
    cohort = cohort_for_manager(user=request.user, uuid=cohort_uuid)
    students = Membership.objects.filter(cohort=cohort, role=Membership.Role.STUDENT).values(
        "user_id"
    )
    wanted = []
    with transaction.atomic():
        for link in LineItemLink.objects.filter(context__cohort_link__cohort=cohort).select_related(
            "context__deployment"
        ):
            from_lms = LtiUser.objects.filter(
                registration_id=link.context.deployment.registration_id,
                auth_user_id__in=students,
            ).values("auth_user_id")
            graded = (
                Submission.objects.filter(
                    exercise_id=link.exercise_id,
                    state=Submission.State.DONE,
                    student_id__in=from_lms,
                )
                .values_list("student_id", flat=True)
                .distinct()
            )
            for user_id in graded:
                sync, _ = ScoreSync.objects.get_or_create(link=link, user_id=user_id)
                wanted.append(sync.pk)
        ScoreSync.objects.filter(pk__in=wanted).update(wanted=F("wanted") + 1)
    for sync_id in wanted:
        passback.queue(sync_id)
    messages.success(
        request, f"{len(wanted)} score{'' if len(wanted) == 1 else 's'} on the way to the LMS."
    )
    return redirect("lti:cohort", cohort_uuid=cohort.uuid)
