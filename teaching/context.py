"""Template context for every page: what the site header shows, from one query, run only
on pages that render the header for a signed-in user."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.functional import SimpleLazyObject

from courses.models import Membership
from grading.models import Notification


def header_facts(user) -> dict:
    """{"teach": whether the teaching pages are for this user (teaching.access.may_teach),
    "unread": their unread notifications}, in one query."""
    if not user.is_authenticated or not user.is_active:
        return {"teach": False, "unread": 0}
    User = get_user_model()
    granted = Permission.objects.filter(codename="add_cohort", content_type__app_label="courses")
    me = OuterRef("pk")
    teaches = (
        Q(is_staff=True)
        | Q(is_superuser=True)
        | Q(Exists(Membership.objects.filter(user=me, role__in=Membership.TEACHING_ROLES)))
        | Q(Exists(User.user_permissions.through.objects.filter(user=me, permission__in=granted)))
        | Q(Exists(User.groups.through.objects.filter(user=me, group__permissions__in=granted)))
    )
    unread = (
        Notification.objects.filter(user=me, read_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            teach=ExpressionWrapper(teaches, output_field=BooleanField()),
            unread=Coalesce(Subquery(unread), 0),
        )
        .values("teach", "unread")
        .first()
    )
    return row or {"teach": False, "unread": 0}


def teaching(request):
    facts = cache(lambda: header_facts(request.user))
    return {
        "may_teach": SimpleLazyObject(lambda: facts()["teach"]),
        "unread_notifications": SimpleLazyObject(lambda: facts()["unread"]),
    }
