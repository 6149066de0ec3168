"""Pages speak the viewer's time: a signed-in member of a cohort sees times in that
cohort's zone (their first cohort as a student, else the first they teach), everyone
else in UTC. The zone is looked up once per ten minutes and kept in the session, so most
requests cost no query."""

import time

from django.utils import timezone

from .models import Membership
from .schedule import zone

SESSION_KEY = "descent_tz"
KEEP_S = 600


def viewer_zone_name(user) -> str:
    rows = (
        Membership.objects.filter(user=user, archived_at__isnull=True)
        .order_by("joined_at")
        .values_list("role", "cohort__time_zone")
    )
    names = list(rows)
    for role, name in names:
        if role == Membership.Role.STUDENT:
            return name
    return names[0][1] if names else "UTC"


def remember_viewer_zone(sender, request, user, **kwargs) -> None:
    """On log-in (the user_logged_in signal): the zone, kept for the session's first pages."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = [viewer_zone_name(user), time.time() + KEEP_S]


class ViewerTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            kept = request.session.get(SESSION_KEY)
            now = time.time()
            if not (isinstance(kept, list) and len(kept) == 2 and kept[1] > now):
                kept = [viewer_zone_name(user), now + KEEP_S]
                request.session[SESSION_KEY] = kept
            timezone.activate(zone(str(kept[0])))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def forget_viewer_zone(request) -> None:
    """Look the zone up again on the next request (after joining or leaving a cohort)."""
    request.session.pop(SESSION_KEY, None)
