from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import announcements, services
from .forms import (
    Checkpoint,
    CheckpointChanged,
    CohortCreateForm,
    JoinCodeForm,
    ReadingPositionForm,
    ThinkForm,
)
from .lesson_cache import LessonParts, lesson_parts
from .lesson_shell import render_fragments
from .middleware import forget_viewer_zone
from .models import CalendarFeed, Cohort, Course, LessonProgress, ScheduleEntry
from .selectors import (
    CalendarEvent,
    calendar_events,
    cohort_by_code,
    cohort_for_manager,
    cohort_members,
    course_get,
    course_path,
    deadline_note,
    late_note,
    lesson_deadlines,
    lesson_exercises,
    lesson_get,
    lesson_quiz,
    quiz_attempt_get,
)


def home(request):
    courses = Course.objects.filter(is_preview=False).prefetch_related("lessons")
    return render(request, "courses/home.html", {"courses": courses})


@require_GET
def course_detail(request, course_slug):
    course = course_get(slug=course_slug, user=request.user)
    study_path = course_path(course=course, user=request.user)
    news = announcements.announcements_for_student(user=request.user, course=course)
    return render(
        request,
        "courses/course.html",
        {
            "course": course,
            "path": study_path,
            "announcements": news,
            # KaTeX only when a formula is there to typeset.
            "announcements_math": any('class="arithmatex"' in a.body_html for a in news),
        },
    )


@login_required
@require_POST
def announcement_dismiss(request, announcement_uuid):
    """A student puts an announcement away; back to the course page it was on."""
    announcement = announcements.announcement_dismiss(user=request.user, uuid=announcement_uuid)
    if announcement is None:
        raise Http404("No such announcement.")
    course_url = reverse("courses:course", args=[announcement.cohort.course.slug])
    return redirect(course_url + "#announcements")


def _lesson_context(request, course, parts: LessonParts, *, think_form=None) -> dict:
    """What the lesson template needs for this reader: the shared part
    (courses/lesson_cache.py, one per course version) with what is their own added:
    progress (the visit is recorded here), deadlines, scores, the checkpoint as drawn
    for them."""
    lesson = parts.lesson_for(course)
    progress = None
    if request.user.is_authenticated:
        progress = services.lesson_progress_visit(user=request.user, lesson=lesson)
    # Signed-in students answer (or skip) the prompt before the lesson opens; anonymous
    # visitors see it as an aside, since there is nowhere to keep an answer.
    needs_think = bool(lesson.think_prompt) and progress is not None and not progress.think_done
    quiz = parts.quiz
    # The student's own dates (their cohort's schedule, their extensions), for the reading
    # and the checkpoint.
    now = timezone.now()
    deadlines = lesson_deadlines(lesson=lesson, user=request.user) if progress else {}
    checkpoint = attempt = None
    if quiz is not None and progress is not None and not needs_think:
        attempt_uuid = request.GET.get("attempt")
        if attempt_uuid:
            attempt = quiz_attempt_get(user=request.user, quiz=quiz, uuid=attempt_uuid)
            checkpoint = Checkpoint(quiz, attempt.seed, attempt=attempt, questions=parts.questions)
        else:
            checkpoint = Checkpoint(quiz, progress.quiz_seed, questions=parts.questions)
    return {
        "course": course,
        "lesson": lesson,
        "parts": parts,
        "progress": progress,
        "needs_think": needs_think,
        "think_form": think_form or ThinkForm(),
        "quiz": quiz,
        "checkpoint": checkpoint,
        "attempt": attempt,
        "attempt_late": late_note(late_by_s=attempt.late_by_s, score_factor=attempt.score_factor)
        if attempt
        else "",
        "reading_deadline": deadline_note(
            deadlines.get((ScheduleEntry.Kind.LESSON, lesson.slug)), now=now
        ),
        "quiz_deadline": deadline_note(deadlines.get((ScheduleEntry.Kind.QUIZ, quiz.slug)), now=now)
        if quiz
        else None,
        "exercises": lesson_exercises(
            lesson=lesson,
            user=request.user,
            deadlines=deadlines,
            now=now,
            exercises=parts.exercises,
        )
        if not needs_think
        else [],
    }


def _lesson_page(request, course, parts: LessonParts, *, think_form=None, status=200):
    """The whole page, everything of the reader's in it: what a browser without scripts
    gets (``?whole=1``), a framed page, a checkpoint's result (``?attempt=``), and every
    page where the shared page is off (courses/lesson_shell.py)."""
    context = _lesson_context(request, course, parts, think_form=think_form)
    return render(request, "courses/lesson.html", context, status=status)


@require_GET
def lesson_detail(request, course_slug, lesson_slug):
    course = course_get(slug=course_slug, user=request.user)
    return _lesson_page(request, course, lesson_parts(course=course, slug=lesson_slug))


@never_cache
@require_GET
def lesson_mine(request, course_slug, lesson_slug):
    """The reader's own parts of a lesson's shared page (courses/lesson_shell.py), as
    JSON: the HTML of each element the page's script replaces (by id), whether the lesson
    opens (not while a think-first prompt waits for the student's answer) and where they
    stopped reading. Rendered from the whole page's own fragments, so both say the same."""
    course = course_get(slug=course_slug, user=request.user)
    context = _lesson_context(request, course, lesson_parts(course=course, slug=lesson_slug))
    slots = {
        "site-nav": "_site_nav.html",
        "page-messages": "_messages.html",
        "lesson-status": "courses/_lesson_status.html",
        "lesson-think": "courses/_lesson_think.html",
    }
    if not context["needs_think"]:
        slots["lesson-exercises"] = "courses/_lesson_exercises.html"
        if context["quiz"] is not None:
            slots["lesson-checkpoint"] = "courses/_checkpoint.html"
    html = render_fragments(request, context, slots)
    html["page-messages"] = f'<div id="page-messages">{html["page-messages"]}</div>'
    if "lesson-checkpoint" in html:
        html["lesson-checkpoint"] = f'<div id="lesson-checkpoint">{html["lesson-checkpoint"]}</div>'
    progress = context["progress"]
    reading = None
    if progress is not None:
        reading = {
            "url": reverse("courses:lesson_position", args=[course.slug, lesson_slug]),
            "position": round(progress.reading_position, 4),
        }
    return JsonResponse({"slots": html, "open": not context["needs_think"], "reading": reading})


@login_required
@require_POST
def lesson_think(request, course_slug, lesson_slug):
    course = course_get(slug=course_slug, user=request.user)
    lesson = lesson_get(course=course, slug=lesson_slug)
    if "skip" in request.POST:
        services.lesson_think_skip(user=request.user, lesson=lesson)
    else:
        form = ThinkForm(request.POST)
        if not form.is_valid():
            parts = lesson_parts(course=course, slug=lesson.slug)
            return _lesson_page(request, course, parts, think_form=form, status=400)
        services.lesson_think_answer(
            user=request.user, lesson=lesson, answer=form.cleaned_data["answer"]
        )
    return redirect(reverse("courses:lesson", args=[course.slug, lesson.slug]) + "#lesson-body")


@require_POST
def lesson_reading_position(request, course_slug, lesson_slug):
    # Called by fetch() from the page: a 403 says more than a redirect to the log-in page.
    if not request.user.is_authenticated:
        return HttpResponseForbidden("Log in to save your place.")
    course = course_get(slug=course_slug, user=request.user)
    lesson = lesson_get(course=course, slug=lesson_slug)
    form = ReadingPositionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("position must be a number from 0 to 1")
    services.lesson_reading_save(
        user=request.user, lesson=lesson, position=form.cleaned_data["position"]
    )
    return HttpResponse(status=204)


@login_required
@require_POST
def checkpoint_submit(request, course_slug, lesson_slug):
    course = course_get(slug=course_slug, user=request.user)
    lesson = lesson_get(course=course, slug=lesson_slug)
    quiz = lesson_quiz(lesson=lesson)
    lesson_url = reverse("courses:lesson", args=[course.slug, lesson.slug])
    if quiz is None:
        return redirect(lesson_url)
    progress, _ = LessonProgress.objects.get_or_create(user=request.user, lesson=lesson)
    try:
        answers = Checkpoint(quiz, progress.quiz_seed).answers_from(request.POST)
    except CheckpointChanged:
        messages.warning(
            request,
            "This checkpoint changed after that form was opened, so it was not graded. Here "
            "it is as it is now.",
        )
        return redirect(lesson_url + "#checkpoint")
    try:
        attempt = services.quiz_attempt_submit(
            user=request.user, quiz=quiz, answers=answers, token=request.POST.get("attempt", "")
        )
    except services.AttemptRefused as refused:
        messages.error(request, str(refused))
        return redirect(lesson_url + "#checkpoint")
    except services.StaleQuizForm:
        messages.warning(
            request,
            "That checkpoint form was for an attempt you had already submitted, so it was not "
            "graded. Here it is again with fresh numbers.",
        )
        return redirect(lesson_url + "#checkpoint")
    return redirect(f"{lesson_url}?attempt={attempt.uuid}#checkpoint")


def glossary(request, course_slug):
    course = course_get(slug=course_slug, user=request.user)
    return render(
        request, "courses/glossary.html", {"course": course, "terms": course.glossary.all()}
    )


# Cohorts ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def cohort_create(request):
    if not services.may_create_cohorts(request.user):
        raise PermissionDenied(
            "Opening cohorts is for instructors; ask the platform's staff to make you one."
        )
    # ?course=<slug> (the teaching home's "Open one") preselects that course.
    preselected = Course.objects.filter(
        slug=request.GET.get("course", ""), is_preview=False
    ).first()
    form = CohortCreateForm(request.POST or None, initial={"course": preselected})
    if request.method == "POST" and form.is_valid():
        cohort = services.cohort_create(
            course=form.cleaned_data["course"],
            name=form.cleaned_data["name"],
            created_by=request.user,
        )
        messages.success(request, f"Cohort “{cohort.name}” created. Share its code or link.")
        return redirect("courses:cohort_manage", cohort_uuid=cohort.uuid)
    return render(request, "courses/cohort_create.html", {"form": form})


@login_required
@require_GET
def cohort_manage(request, cohort_uuid):
    cohort = cohort_for_manager(user=request.user, uuid=cohort_uuid)
    join_url = request.build_absolute_uri(reverse("courses:join_link", args=[cohort.join_code]))
    context = {"cohort": cohort, "join_url": join_url, "members": cohort_members(cohort=cohort)}
    return render(request, "courses/cohort_manage.html", context)


@login_required
@require_POST
def cohort_code_regenerate(request, cohort_uuid):
    cohort = cohort_for_manager(user=request.user, uuid=cohort_uuid)
    services.cohort_regenerate_code(cohort=cohort)
    messages.success(request, "New join code made. The old code and link no longer work.")
    return redirect("courses:cohort_manage", cohort_uuid=cohort.uuid)


def _joined(request, cohort: Cohort):
    _, created = services.cohort_join(cohort=cohort, user=request.user)
    forget_viewer_zone(request)
    if created:
        messages.success(request, f"You joined “{cohort.name}”.")
    else:
        messages.info(request, f"You are already in “{cohort.name}”.")
    return redirect("courses:course", course_slug=cohort.course.slug)


@login_required
@require_http_methods(["GET", "POST"])
def join_by_code(request):
    form = JoinCodeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            return _joined(request, form.cohort)
        return render(request, "courses/join.html", {"form": form}, status=400)
    return render(request, "courses/join.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def join_by_link(request, code):
    # GET only shows what you are joining: a link preview or a prefetching mail client
    # must never enrol anyone.
    cohort = cohort_by_code(code=code)
    if cohort is None:
        return render(request, "courses/join_invalid.html", {"form": JoinCodeForm()}, status=404)
    if request.method == "POST":
        return _joined(request, cohort)
    role = cohort.role_of(request.user)
    return render(request, "courses/join_confirm.html", {"cohort": cohort, "role": role})


# The calendar feed ----------------------------------------------------------------------
#
# iCalendar (RFC 5545) written by hand: a handful of properties, and the three rules that
# matter for them are below (CRLF line ends, TEXT escaping, folding at 75 octets).

ICS_LINE_OCTETS = 75


def ics_escape(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped;
    other control characters, which TEXT may not hold, dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(c for c in value if c in "\t\n" or not (c < " " or c == "\x7f"))
    for raw, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(raw, escaped)
    return value


def ics_fold(line: str) -> str:
    """A content line longer than 75 octets folded (3.1): CRLF and a space before each
    continuation, whose space counts towards its 75; never inside a UTF-8 character."""
    if len(line.encode()) <= ICS_LINE_OCTETS:
        return line
    parts, current, room = [], "", ICS_LINE_OCTETS
    for char in line:
        size = len(char.encode())
        if size > room:
            parts.append(current)
            current, room = "", ICS_LINE_OCTETS - 1
        current += char
        room -= size
    parts.append(current)
    return "\r\n ".join(parts)


def _ics_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_calendar(events: list[CalendarEvent], *, absolute, stamp: datetime) -> str:
    """The feed: one VEVENT per due date, starting and ending at it, in UTC. ``absolute``
    turns a page's path into its full URL."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Descent//Due dates//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Descent due dates",
    ]
    for event in events:
        due = _ics_time(event.due_at)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_ics_time(stamp)}",
            f"DTSTART:{due}",
            f"DTEND:{due}",
            f"SUMMARY:{ics_escape(event.summary)}",
            f"DESCRIPTION:{ics_escape(event.description)}",
            f"URL:{absolute(event.path)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + "\r\n" for line in lines)


@never_cache
@require_GET
def calendar_feed(request, token):
    """A student's due dates for calendar apps, which cannot log in: the secret token in
    the address is the key (reset from the profile page), and an unknown one is a 404."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    if not feed.user.is_active:
        raise Http404("No such calendar.")
    body = ics_calendar(
        calendar_events(user=feed.user),
        absolute=request.build_absolute_uri,
        stamp=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="descent.ics"'
    return response
