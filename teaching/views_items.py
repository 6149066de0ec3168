"""The per-exercise and per-quiz pages of a cohort, and the exercise's regrade."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from courses.forms import markdown_html
from grading import regrade, services

from .access import cohort_for_instructor, cohort_for_staff
from .charts import bar_chart
from .selectors import exercise as exercise_selectors
from .selectors import quiz as quiz_selectors
from .selectors.items import student_ids


def _duration(value) -> str:
    """A time span as people say it: "40 s", "12 min", "3 h 5 min", "2 days 4 h"."""
    if value is None:
        return ""
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if hours < 1:
        return f"{minutes} min"
    if days < 1:
        return f"{hours} h {minutes % 60} min" if minutes % 60 else f"{hours} h"
    return f"{days} day{'s' if days > 1 else ''} {hours % 24} h" if hours % 24 else f"{days} days"


def _attempts_chart(stats):
    return bar_chart(
        [("students", stats.attempts_to_pass)],
        title="Attempts until the first pass",
        x_labels=stats.attempt_labels,
        x_label="attempts",
        y_label="students",
        counts=True,
    )


@login_required
@require_GET
def exercise_page(request, cohort_uuid, exercise_slug):
    cohort = cohort_for_staff(user=request.user, uuid=cohort_uuid)
    exercise = exercise_selectors.exercise_get(cohort=cohort, slug=exercise_slug)
    stats = exercise_selectors.exercise_stats(
        cohort=cohort, exercise=exercise, mistake_titles=exercise.mistake_titles
    )
    context = {
        "cohort": cohort,
        "exercise": exercise,
        "stats": stats,
        "chart": _attempts_chart(stats),
        "median_time": _duration(stats.median_time_to_pass),
        "blocked": services.blocked_summary(exercise=exercise, student_ids=student_ids(cohort)),
        "recent": exercise_selectors.recent_submissions(cohort=cohort, exercise=exercise),
        "job": regrade.regrade_latest(exercise=exercise, cohort=cohort),
        "blocking": regrade.regrade_blocking(exercise=exercise, cohort=cohort),
        # Assistants read the page; regrading and unblocking are the instructors'.
        "may_manage": cohort.can_manage(request.user),
    }
    return render(request, "teaching/items/exercise.html", context)


@login_required
@require_POST
def regrade_start(request, cohort_uuid, exercise_slug):
    cohort = cohort_for_instructor(user=request.user, uuid=cohort_uuid)
    exercise = exercise_selectors.exercise_get(cohort=cohort, slug=exercise_slug)
    # Staff may regrade every cohort's submissions at once; instructors only their own.
    everyone = request.user.is_staff and request.POST.get("scope") == "all"
    if request.POST.get("confirm") != "yes":
        messages.error(
            request, "Nothing was regraded: tick the box to confirm that scores may change."
        )
        return redirect("teaching:exercise", cohort_uuid=cohort.uuid, exercise_slug=exercise.slug)
    try:
        regrade.regrade_start(
            exercise=exercise, cohort=None if everyone else cohort, requested_by=request.user
        )
    except regrade.RegradeRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, "Regrade started. Scores update as it goes; you can leave this page."
        )
    return redirect("teaching:exercise", cohort_uuid=cohort.uuid, exercise_slug=exercise.slug)


@login_required
@require_POST
def unblock(request, cohort_uuid, exercise_slug):
    """Grade again the cohort's submissions that a broken exercise blocked."""
    cohort = cohort_for_instructor(user=request.user, uuid=cohort_uuid)
    exercise = exercise_selectors.exercise_get(cohort=cohort, slug=exercise_slug)
    count = services.submissions_unblock(exercise=exercise, student_ids=student_ids(cohort))
    messages.success(request, f"{count} submission(s) queued to be graded again.")
    return redirect("teaching:exercise", cohort_uuid=cohort.uuid, exercise_slug=exercise.slug)


@login_required
@require_GET
def regrade_progress(request, cohort_uuid, exercise_slug, job_id):
    cohort = cohort_for_staff(user=request.user, uuid=cohort_uuid)
    exercise = exercise_selectors.exercise_get(cohort=cohort, slug=exercise_slug)
    job = regrade.regrade_job_for(job_id=job_id, exercise=exercise, cohort=cohort)
    if job is None:
        raise Http404("No such regrade for this cohort.")
    response = JsonResponse(regrade.regrade_progress(job=job))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def quiz_page(request, cohort_uuid, quiz_slug):
    cohort = cohort_for_staff(user=request.user, uuid=cohort_uuid)
    quiz = quiz_selectors.quiz_get(cohort=cohort, slug=quiz_slug)
    stats = quiz_selectors.quiz_stats(
        cohort=cohort,
        quiz=quiz,
        option_html=lambda text: markdown_html(text, quiz.course, inline=True),
    )
    chart = bar_chart(
        [("% right among attempts", [100 * (q.share_right or 0) for q in stats.questions])],
        title="Share right per question",
        x_labels=[f"Q{q.number}" for q in stats.questions],
        x_label="question",
        y_label="% right",
        y_max=100,
    )
    context = {"cohort": cohort, "quiz": quiz, "stats": stats, "chart": chart}
    return render(request, "teaching/items/quiz.html", context)
