"""Who may see the teaching pages: a cohort's pages its instructors and staff, the
teaching home anyone who teaches (or may start teaching), nobody else."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from courses.models import Cohort, Membership
from courses.selectors import cohort_for_manager


def cohort_for_instructor(*, user, uuid) -> Cohort:
    """The cohort, or 404 when it does not exist and 403 when `user` does not teach it."""
    return cohort_for_manager(user=user, uuid=uuid)


def cohort_for_staff(*, user, uuid) -> Cohort:
    """The cohort for its instructors, its teaching assistants and site staff: the pages
    that read (dashboards, gradebook) and the actions an assistant may take (comments,
    extensions). 404 when it does not exist, 403 for anyone else."""
    cohort = get_object_or_404(Cohort, uuid=uuid)
    if not cohort.can_assist(user):
        raise PermissionDenied("These pages are for the cohort's instructors and assistants.")
    return cohort


def may_teach(user) -> bool:
    """Whether the teaching pages are for this user: staff, people granted the right to
    open cohorts (`manage.py grant_instructor`, directly or through a group), and
    instructors and teaching assistants of any cohort. One query: the site header asks on every page."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    granted = Q(codename="add_cohort", content_type__app_label="courses")
    return (
        get_user_model()
        .objects.filter(pk=user.pk)
        .filter(
            Q(memberships__role__in=[Membership.Role.INSTRUCTOR, Membership.Role.ASSISTANT])
            | Q(user_permissions__in=Permission.objects.filter(granted))
            | Q(groups__permissions__in=Permission.objects.filter(granted))
        )
        .exists()
    )


def require_teacher(user) -> None:
    """PermissionDenied (a styled 403) for a signed-in user the teaching pages are not for."""
    if not may_teach(user):
        raise PermissionDenied("The teaching pages are for a course's instructors.")
