"""/teach/: where an instructor starts: their courses and the cohorts they run."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from authoring.selectors import sources_for
from courses.services import may_create_cohorts

from .access import require_teacher
from .selectors.home import teaching_home


@require_GET
@login_required
def home(request):
    require_teacher(request.user)
    return render(
        request,
        "teaching/home.html",
        {
            "courses": teaching_home(user=request.user),
            "sources": sources_for(user=request.user),
            "may_create_cohorts": may_create_cohorts(request.user),
        },
    )
