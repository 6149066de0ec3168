"""The authoring pages under /teach/: register a course source, sync it and read the log,
look at a version, preview it, publish it (or an older one), regrade what a publish
changed. A source is its authors' and staff's: anyone else gets a 404, which does not
confirm that it exists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.models import Cohort
from courses.services import may_create_cohorts
from grading.regrade import RegradeRefused, regrade_start

from . import services
from .changes import publish_changes
from .forms import AuthorsForm, SourceForm
from .models import CourseSource, CourseVersion, SyncRun


def require_instructor(user) -> None:
    """Registering a course is granted like opening cohorts: staff and instructors."""
    if not may_create_cohorts(user):
        raise PermissionDenied(
            "Registering a course is for instructors; ask the platform's staff to make you one."
        )


def source_for_author(*, user, pk: int) -> CourseSource:
    source = get_object_or_404(CourseSource, pk=pk)
    if not source.may_author(user):
        raise Http404("No such course source.")
    return source


def version_for_author(*, user, pk: int) -> CourseVersion:
    version = get_object_or_404(CourseVersion.objects.select_related("source"), pk=pk)
    if not version.source.may_author(user):
        raise Http404("No such version.")
    return version


@login_required
@require_http_methods(["GET", "POST"])
def source_new(request):
    require_instructor(request.user)
    form = SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        source = services.source_create(user=request.user, **form.cleaned_data)
        run = services.sync_start(
            source=source, trigger=SyncRun.Trigger.REGISTER, user=request.user
        )
        messages.success(request, f"“{source.name}” registered; its first sync has started.")
        return redirect("authoring:sync", pk=run.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "authoring/source_form.html", {"form": form}, status=status)


@login_required
@require_GET
def source_detail(request, pk):
    source = source_for_author(user=request.user, pk=pk)
    versions = list(source.versions.select_related("published_by")[:30])
    context = {
        "source": source,
        "versions": versions,
        "syncs": source.syncs.select_related("version", "requested_by")[:10],
        "active": source.syncs.filter(state__in=SyncRun.ACTIVE).first(),
        "hook_url": request.build_absolute_uri(
            reverse("authoring_hooks:push", args=[source.hook_id])
        ),
    }
    return render(request, "authoring/source.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def source_settings(request, pk):
    source = source_for_author(user=request.user, pk=pk)
    form = SourceForm(request.POST or None, instance=source)
    if request.method == "POST" and form.is_valid():
        services.source_update(source=source, **form.cleaned_data)
        messages.success(request, "Settings saved. Sync to read the repository with them.")
        return redirect("authoring:source", pk=source.pk)
    status = 400 if request.method == "POST" else 200
    names = " ".join(sorted(source.authors.values_list("username", flat=True)))
    context = {
        "form": form,
        "source": source,
        "authors_form": AuthorsForm(initial={"authors": names}),
    }
    return render(request, "authoring/source_form.html", context, status=status)


@login_required
@require_POST
def source_authors(request, pk):
    source = source_for_author(user=request.user, pk=pk)
    form = AuthorsForm(request.POST)
    if not form.is_valid():
        context = {"form": SourceForm(instance=source), "source": source, "authors_form": form}
        return render(request, "authoring/source_form.html", context, status=400)
    services.source_authors_set(source=source, users=form.cleaned_data["authors"])
    messages.success(request, "Authors saved.")
    if not source.may_author(request.user):
        return redirect("teaching:home")
    return redirect("authoring:source_settings", pk=source.pk)


@login_required
@require_POST
def sync_start(request, pk):
    source = source_for_author(user=request.user, pk=pk)
    try:
        run = services.sync_start(source=source, trigger=SyncRun.Trigger.BUTTON, user=request.user)
    except services.SyncBusy as busy:
        messages.warning(request, str(busy))
        if busy.run is not None:
            return redirect("authoring:sync", pk=busy.run.pk)
        return redirect("authoring:source", pk=source.pk)
    return redirect("authoring:sync", pk=run.pk)


def _sync_for_author(user, pk) -> SyncRun:
    run = get_object_or_404(SyncRun.objects.select_related("source", "version"), pk=pk)
    if not run.source.may_author(user):
        raise Http404("No such sync.")
    return run


@login_required
@require_GET
def sync_detail(request, pk):
    run = _sync_for_author(request.user, pk)
    poll = {"url": reverse("authoring:sync_log", args=[run.pk]), "next": len(run.log)}
    context = {"run": run, "source": run.source, "sync_poll": poll}
    return render(request, "authoring/sync.html", context)


@login_required
@require_GET
def sync_log(request, pk):
    """The log from character ``after`` on, for the page's live view."""
    run = _sync_for_author(request.user, pk)
    try:
        after = max(0, int(request.GET.get("after", "0")))
    except ValueError:
        after = 0
    return JsonResponse(
        {
            "state": run.state,
            "done": run.done,
            "outcome": run.outcome,
            "log": run.log[after:],
            "next": len(run.log),
            "version_url": reverse("authoring:version", args=[run.version_id])
            if run.version_id
            else "",
        }
    )


@login_required
@require_GET
def version_detail(request, pk):
    version = version_for_author(user=request.user, pk=pk)
    summary = version.publish_summary if version.is_published else publish_changes(version)
    cohorts = []
    if version.is_published and version.source.course_id:
        cohorts = list(Cohort.objects.filter(course_id=version.source.course_id))
    context = {
        "version": version,
        "source": version.source,
        "summary": summary,
        "published": version.source.published,
        "cohorts": cohorts,
    }
    return render(request, "authoring/version.html", context)


@login_required
@require_POST
def version_preview(request, pk):
    version = version_for_author(user=request.user, pk=pk)
    course = services.version_preview(version=version)
    return redirect("courses:course", course_slug=course.slug)


@login_required
@require_POST
def version_publish(request, pk):
    version = version_for_author(user=request.user, pk=pk)
    try:
        services.version_publish(version=version, user=request.user)
    except services.PublishRefused as exc:
        messages.error(request, str(exc))
        return redirect("authoring:version", pk=version.pk)
    messages.success(
        request, f"Version {version.number} is published: students see it from now on."
    )
    return redirect("authoring:version", pk=version.pk)


@login_required
@require_POST
def version_regrade(request, pk, exercise_slug):
    """Regrade, in every cohort of the course, the graded submissions to an exercise whose
    checks this (published) version changed."""
    version = version_for_author(user=request.user, pk=pk)
    course = version.source.course
    if not version.is_published or course is None:
        messages.error(request, "Only the published version's changes can be regraded.")
        return redirect("authoring:version", pk=version.pk)
    exercise = get_object_or_404(course.exercises, slug=exercise_slug, is_active=True)
    started = refused = 0
    for cohort in Cohort.objects.filter(course=course):
        try:
            regrade_start(exercise=exercise, cohort=cohort, requested_by=request.user)
            started += 1
        except RegradeRefused as exc:
            refused += 1
            messages.warning(request, f"{cohort.name}: {exc}")
    if started:
        messages.success(
            request,
            f"Regrading “{exercise.title}” in {started} cohort(s); the dashboards show progress.",
        )
    elif not refused:
        messages.info(request, "No cohort takes this course, so there is nothing to regrade.")
    return redirect("authoring:version", pk=version.pk)
