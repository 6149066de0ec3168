"""A lesson's shared page: the same bytes for every reader, served before the session.

Everything on a lesson page that is a reader's own is small: the site menu (who is
signed in), messages, their progress and deadlines, the think-first gate, their scores,
the checkpoint as drawn for them, where they stopped reading. The rest, the body with
its widgets and formulas, the glossary cards and the pager, is what the page weighs and
is the same for everyone reading that version of the course. So the page comes in two
requests:

1. ``LessonShellMiddleware`` (below WhiteNoise, above the session) answers a plain
   ``GET`` of a lesson's address with the shared page: courses/lesson.html rendered with
   ``shell`` on and no reader, kept in the process under the course's version
   (courses/lesson_cache.course_version). No session is read, no CSRF token or CSP nonce
   is made, no query runs: the course row is read again at most once a second per
   process and lesson (``RECHECK_S``) to see whether a publish changed the version or
   the course became a draft's preview, so a publish shows within a second.
2. static/src/lesson-page.js fetches ``.../mine/`` (courses.views.lesson_mine), which
   records the visit and answers with the HTML of each of the reader's parts, rendered
   from the same fragments as the whole page, and puts each where the element of the
   same id stands. A lesson with a think-first prompt keeps its body hidden until that
   answer says it opens; for a student who has not answered, the body is taken out and
   the prompt's form put in.

The whole page (courses.views.lesson_detail, everything rendered in one request) is
still what a request gets when the middleware steps aside: any query string (a browser
without scripts is sent to ``?whole=1`` by a ``<noscript>`` refresh; a checkpoint's
result is ``?attempt=``), another method, a page loaded into a frame (``Sec-Fetch-Dest``,
or the cookie lti/framing.py sets for an LTI session, since only the session says which
LMS may frame it), a course that is not cached (a draft's preview, a course not imported
from files), anything it cannot find (the view gives the 404), a database it cannot
reach (the view gives the 503 page), and everywhere when ``LESSON_SHELL`` is off.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError
from django.http import Http404, HttpResponse
from django.template import Context, engines
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

from .lesson_cache import CACHE_SIZE, Recent, course_version, lesson_parts
from .models import Course
from .selectors import lesson_exercises

# How long a process serves a shared page before it reads the course row again.
RECHECK_S = 1.0
# Set by lti/framing.py on the responses of a session an LTI launch began: its pages may
# be framed by that LMS, which only the session knows, so they are rendered whole.
FRAMED_COOKIE = "descent_framed"
LESSON_VIEW = "courses:lesson"
LESSON_SEGMENT = "/lessons/"  # courses/urls.py's lesson addresses


# (course slug, lesson slug) -> (version, [checked at, bytes]).
_shells = Recent(CACHE_SIZE)


def lesson_shell(course_slug: str, lesson_slug: str) -> bytes | None:
    """The shared page of this lesson, or None when the whole page must answer."""
    key = (course_slug, lesson_slug)
    now = time.monotonic()
    found = _shells.peek(key)
    if found is not None and now - found[1][0] < RECHECK_S:
        return found[1][1]
    course = Course.objects.filter(slug=course_slug).first()
    if course is None or not course.may_view(AnonymousUser()):
        return None
    version = course_version(course)
    if version is None:
        return None
    if found is not None and found[0] == version:
        found[1][0] = now  # checked: still this version
        return found[1][1]
    try:
        parts = lesson_parts(course=course, slug=lesson_slug)
    except Http404:
        return None
    lesson = parts.lesson_for(course)
    nobody = AnonymousUser()
    exercises = lesson_exercises(lesson=lesson, user=nobody, exercises=parts.exercises)
    context = {"shell": True, "course": course, "lesson": lesson, "parts": parts}
    context.update(quiz=parts.quiz, exercises=exercises)
    body = render_to_string("courses/lesson.html", context).encode()
    _shells.put(key, version, [now, body])
    return body


def lesson_shell_clear() -> None:
    """Forget every kept page of this process (tests; a deploy starts new processes)."""
    _shells.clear()


def _steps_aside(request) -> bool:
    """Whether the request is not one for a shared page, decided without a query or the
    URL resolver (every request that is not a static file passes here)."""
    meta = request.META
    return (
        not getattr(settings, "LESSON_SHELL", True)
        or not getattr(settings, "LESSON_HTML_CACHE", True)
        # Only lesson addresses have this segment; the resolver decides the rest.
        or LESSON_SEGMENT not in request.path_info
        or request.method not in ("GET", "HEAD")
        or bool(meta.get("QUERY_STRING"))
        or meta.get("HTTP_SEC_FETCH_DEST") in ("iframe", "frame", "embed", "object")
        or FRAMED_COOKIE in request.COOKIES
    )


class LessonShellMiddleware:
    """Answers a lesson's address with its shared page when it can (module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _steps_aside(request):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if match.view_name != LESSON_VIEW:
            return self.get_response(request)
        try:
            body = lesson_shell(match.kwargs["course_slug"], match.kwargs["lesson_slug"])
        except DatabaseError:
            body = None  # the view's database error becomes the 503 page
        if body is None:
            return self.get_response(request)
        request.resolver_match = match  # the request histogram's label (/metrics)
        response = HttpResponse(body, content_type="text/html; charset=utf-8")
        # The middleware below that sets it is not reached; the policy's frame-ancestors
        # 'none' (django-csp, above) says the same.
        response["X-Frame-Options"] = "DENY"
        return response


def render_fragments(request, context: dict, templates: dict[str, str]) -> dict[str, str]:
    """Render each template of ``templates`` (id -> name) with ``context`` and what the
    context processors add, which run once for all of them (rendering each through
    ``render_to_string(request=...)`` would run them, and their queries, each time)."""
    engine = engines["django"].engine
    values: dict = {}
    for processor in engine.template_context_processors:
        values.update(processor(request))
    values.update(context)
    shared = Context(values, autoescape=engine.autoescape)
    return {slot: engine.get_template(name).render(shared) for slot, name in templates.items()}
