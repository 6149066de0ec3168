"""{% cohort_nav cohort %}: the bar on every page of a cohort's staff, linking what they
need and marking where they are. Links an assistant may not use are not shown to them."""

from django import template
from django.urls import reverse

from grading.feedback import open_requests_count

register = template.Library()

# (url name, label, instructors only); the pages under each share its url-name prefix.
SECTIONS = [
    ("cohort", "Dashboard", False),
    ("schedule", "Schedule", False),
    ("roster", "Roster", False),
    ("review_queue", "Reviews", False),
    ("announcements", "Announcements", False),
    ("cohort_manage", "Join code and settings", True),
]
# Pages that belong under a section though their names differ.
BELONGS = {
    "student": "cohort",
    "review": "review_queue",
    "member_archive": "roster",
    "announcement_post": "announcements",
}


@register.inclusion_tag("teaching/_cohort_nav.html", takes_context=True)
def cohort_nav(context, cohort):
    request = context["request"]
    user = request.user
    manages = cohort.can_manage(user)
    match = getattr(request, "resolver_match", None)
    here = match.url_name if match else ""
    here = BELONGS.get(here, here)
    links = []
    for name, label, instructors_only in SECTIONS:
        if instructors_only and not manages:
            continue
        app = "courses" if name == "cohort_manage" else "teaching"
        links.append(
            {
                "url": reverse(f"{app}:{name}", args=[cohort.uuid]),
                "label": label,
                "current": name == here,
            }
        )
    return {
        "cohort": cohort,
        "links": links,
        "open_requests": open_requests_count(cohort=cohort),
        "gradebook": reverse("teaching:gradebook", args=[cohort.uuid]),
    }
