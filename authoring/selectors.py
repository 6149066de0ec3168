"""Reads the teaching pages share."""

from django.db.models import OuterRef, Subquery

from .models import CourseSource, SyncRun


def sources_for(*, user):
    """The course sources ``user`` authors (staff: all), each with its published version
    and its latest sync's state and time annotated. One query."""
    latest = SyncRun.objects.filter(source=OuterRef("pk")).order_by("-created_at")
    sources = CourseSource.objects.select_related("published", "course")
    if not user.is_staff:
        sources = sources.filter(authors=user)
    return sources.annotate(
        last_sync_id=Subquery(latest.values("pk")[:1]),
        last_sync_state=Subquery(latest.values("state")[:1]),
        last_sync_at=Subquery(latest.values("created_at")[:1]),
    ).order_by("name")
