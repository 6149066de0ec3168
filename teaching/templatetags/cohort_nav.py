"""{% cohort_nav cohort %}: the bar on every page of a cohort's staff, linking what they
need and marking where they are. Links an assistant may not use are not shown to them."""

from django import template
from django.urls import reverse

from grading.feedback import open_requests_count

register = template.Library()

# (view name, label, instructors only); the pages under each are listed in BELONGS.
SECTIONS = [
    ("teaching:cohort", "Dashboard", False),
    ("teaching:schedule", "Schedule", False),
    ("teaching:roster", "Roster", False),
    ("teaching:review_queue", "Reviews", False),
    ("teaching:announcements", "Announcements", False),
    ("lti:cohort", "LMS", False),
    ("courses:cohort_manage", "Join code and settings", True),
]
# Pages that belong under a section though their names differ.
BELONGS = {
    "teaching:student": "teaching:cohort",
    "teaching:review": "teaching:review_queue",
}


@register.inclusion_tag("teaching/_cohort_nav.html", takes_context=True)
def cohort_nav(context, cohort):
    request = context["request"]
    manages = cohort.can_manage(request.user)
    match = getattr(request, "resolver_match", None)
    here = match.view_name if match else ""
    here = BELONGS.get(here, here)
    links = [
        {
            "url": reverse(name, args=[cohort.uuid]),
            "label": label,
            "current": name == here,
        }
        for name, label, instructors_only in SECTIONS
        if manages or not instructors_only
    ]
    return {
        "cohort": cohort,
        "links": links,
        "open_requests": open_requests_count(cohort=cohort),
        "gradebook": reverse("teaching:gradebook", args=[cohort.uuid]),
    }
