"""A lesson's address answers with its shared page (courses/lesson_shell.py): the same
bytes for every reader, no session, token or query once kept; the reader's parts come
from ``.../mine/``, rendered from the whole page's own fragments; the whole page answers
wherever the shared one cannot (no scripts, a frame, a draft, a missing lesson)."""

import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses import lesson_shell
from courses.lesson_shell import FRAMED_COOKIE
from courses.models import Course, LessonProgress
from lti.framing import FRAME_KEY, FramedByPlatformMiddleware
from tests.courses.test_lesson_cache import (  # noqa: F401
    BODY,
    NEW_BODY,
    author,
    published,
    versions,
)

pytestmark = [pytest.mark.django_db, pytest.mark.lesson_shell]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
SLOT_ID = re.compile(r'^<(\w+) id="([\w-]+)"')
READER_SLOTS = {"site-nav", "page-messages", "lesson-status", "lesson-think"}


def url(course, name="lesson", slug="basics"):
    return reverse(f"courses:{name}", args=[course.slug, slug])


def get(client, address, **headers):
    """The response and the queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address, headers=headers)
    return response, len(queries)


def is_shell(response) -> bool:
    return response.status_code == 200 and b"data-mine-url=" in response.content


@pytest.fixture
def kept_long(monkeypatch):
    """Pages kept for a minute, so that no recheck falls inside a test's requests."""
    monkeypatch.setattr(lesson_shell, "RECHECK_S", 60.0)


@pytest.fixture
def ada(student, quiz_course):
    """Ada's client: signed in, past the think prompt, a quarter of the way through."""
    LessonProgress.objects.create(
        user=student,
        lesson=quiz_course.lessons.get(),
        think_skipped=True,
        state=LessonProgress.State.PASSED,
        reading_position=0.25,
    )
    client = Client()
    client.force_login(student)
    return client


# The shared page --------------------------------------------------------------------------


def test_every_reader_gets_the_same_bytes_with_nothing_of_theirs(
    client, ada, student, quiz_course, kept_long
):
    anonymous, _ = get(client, url(quiz_course))
    signed_in, _ = get(ada, url(quiz_course))
    assert is_shell(anonymous)
    assert signed_in.content == anonymous.content
    text = signed_in.content.decode()
    assert BODY in text
    assert "Which way is downhill?" in text
    # Nothing of the reader's: no name, no progress, no token, no nonce, no cookie set.
    assert student.username not in text
    assert "badge-passed" not in text
    assert "csrfmiddlewaretoken" not in text
    assert "nonce=" not in text
    assert not signed_in.cookies
    # The policy still comes with it (django-csp is above), and no frame may hold it.
    assert "frame-ancestors 'none'" in signed_in["Content-Security-Policy"]
    assert signed_in["X-Frame-Options"] == "DENY"
    # Held back until the reader's parts say whether it opens (the lesson has a prompt).
    assert '<div id="lesson-open" hidden>' in text
    assert 'http-equiv="refresh" content="0; url=?whole=1"' in text


def test_a_kept_page_costs_no_query_and_a_recheck_one(client, quiz_course, monkeypatch):
    monkeypatch.setattr(lesson_shell, "RECHECK_S", 60.0)
    first, built = get(client, url(quiz_course))
    again, kept = get(client, url(quiz_course))
    assert is_shell(first)
    assert again.content == first.content
    assert built > 1
    assert kept == 0
    # Past the recheck, only the course row is read: its version has not moved.
    monkeypatch.setattr(lesson_shell, "RECHECK_S", 0.0)
    rechecked, count = get(client, url(quiz_course))
    assert rechecked.content == first.content
    assert count == 1


def test_a_publish_shows_on_the_next_recheck(client, author, versions, monkeypatch):  # noqa: F811
    v1, v2 = versions
    course = published(v1, author)
    monkeypatch.setattr(lesson_shell, "RECHECK_S", 60.0)
    assert BODY in get(client, url(course))[0].content.decode()
    course = published(v2, author)
    # Within the recheck the process may still serve the old version: at most RECHECK_S.
    assert BODY in get(client, url(course))[0].content.decode()
    monkeypatch.setattr(lesson_shell, "RECHECK_S", 0.0)
    text = get(client, url(course))[0].content.decode()
    assert NEW_BODY in text
    assert BODY not in text


# The reader's parts ------------------------------------------------------------------------


def slots_of(client, course) -> dict:
    response = client.get(url(course, "lesson_mine"))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    return response.json()


def test_the_reader_parts_are_the_whole_page_fragments(ada, student, quiz_course):
    mine = slots_of(ada, quiz_course)
    slots = mine["slots"]
    assert set(slots) == READER_SLOTS | {"lesson-exercises", "lesson-checkpoint"}
    # The page's script puts each where the element of the same id stands.
    for slot, html in slots.items():
        assert SLOT_ID.match(html.strip()).group(2) == slot, slot
    assert mine["open"] is True
    assert mine["reading"] == {"url": url(quiz_course, "lesson_position"), "position": 0.25}
    assert student.username in slots["site-nav"]
    assert "csrfmiddlewaretoken" in slots["site-nav"]
    assert "badge-passed" in slots["lesson-status"]
    assert 'action="' + url(quiz_course, "checkpoint_submit") in slots["lesson-checkpoint"]
    assert "not tried" in slots["lesson-exercises"]

    # The same fragments as the whole page gives this reader (the masked tokens aside).
    whole = CSRF.sub("", ada.get(url(quiz_course) + "?whole=1").content.decode())
    for slot in ("site-nav", "lesson-status", "lesson-think", "lesson-exercises"):
        assert CSRF.sub("", slots[slot]).strip() in whole, slot
    checkpoint = CSRF.sub("", slots["lesson-checkpoint"])
    inner = checkpoint.removeprefix('<div id="lesson-checkpoint">').removesuffix("</div>")
    assert inner.strip() in whole


def test_a_student_who_has_not_answered_the_prompt_gets_the_gate(client, student, quiz_course):
    client.force_login(student)
    mine = slots_of(client, quiz_course)
    assert mine["open"] is False
    assert set(mine["slots"]) == READER_SLOTS
    assert 'action="' + url(quiz_course, "lesson_think") in mine["slots"]["lesson-think"]
    # The visit is recorded by the parts' request, as by the whole page.
    assert LessonProgress.objects.filter(user=student).count() == 1


def test_an_anonymous_reader_is_asked_to_log_in(client, quiz_course):
    mine = slots_of(client, quiz_course)
    assert mine["open"] is True
    assert mine["reading"] is None
    assert "Log in" in mine["slots"]["site-nav"]
    assert "to take it" in mine["slots"]["lesson-checkpoint"]
    assert "not tried" not in mine["slots"]["lesson-exercises"]


def test_the_reader_parts_carry_the_messages(ada, quiz_course):
    lesson = quiz_course.lessons.get()
    # A checkpoint form drawn for another shape is refused with a message and sent back.
    response = ada.post(url(quiz_course, "checkpoint_submit"), {"shape": "stale"})
    assert response.status_code == 302
    assert LessonProgress.objects.filter(lesson=lesson).exists()
    messages = slots_of(ada, quiz_course)["slots"]["page-messages"]
    assert "checkpoint changed" in messages
    # Shown once.
    assert "checkpoint changed" not in slots_of(ada, quiz_course)["slots"]["page-messages"]


def test_the_reader_parts_of_a_missing_lesson_are_a_404(ada, quiz_course):
    assert ada.get(url(quiz_course, "lesson_mine", slug="nope")).status_code == 404


# Where the whole page answers --------------------------------------------------------------


def test_the_whole_page_answers_where_the_shared_one_cannot(ada, quiz_course, kept_long):
    address = url(quiz_course)
    assert is_shell(get(ada, address)[0])
    for response in (
        get(ada, address + "?whole=1")[0],  # no scripts: the <noscript> refresh
        get(ada, address, **{"Sec-Fetch-Dest": "iframe"})[0],  # in a frame
    ):
        assert response.status_code == 200
        assert not is_shell(response)
        assert "badge-passed" in response.content.decode()
    ada.cookies[FRAMED_COOKIE] = "1"  # an LTI session's browser
    assert not is_shell(get(ada, address)[0])


def test_the_view_answers_for_a_missing_lesson_a_draft_and_a_course_not_from_files(
    client, quiz_course, settings
):
    assert client.get(url(quiz_course, slug="nope")).status_code == 404
    assert client.get("/courses/no-such-course/lessons/basics/").status_code == 404
    # Rows the admin may edit (no fingerprint) are never kept.
    Course.objects.filter(pk=quiz_course.pk).update(content_hash="")
    assert not is_shell(client.get(url(quiz_course)))
    # A draft's preview is its authors' only: a 404 to everyone else, from the view.
    Course.objects.filter(pk=quiz_course.pk).update(content_hash="f" * 64, is_preview=True)
    assert client.get(url(quiz_course)).status_code == 404
    Course.objects.filter(pk=quiz_course.pk).update(is_preview=False)
    assert is_shell(client.get(url(quiz_course)))
    settings.LESSON_SHELL = False
    assert not is_shell(client.get(url(quiz_course)))


def test_an_lti_session_marks_its_browser_and_a_plain_one_clears_the_mark(db):
    def through(session, cookies):
        request = RequestFactory().get("/")
        request.session, request.COOKIES = session, cookies
        return FramedByPlatformMiddleware(lambda _: HttpResponse())(request)

    framed = SessionStore()
    framed[FRAME_KEY] = ["https://lms.example"]
    marked = through(framed, {})
    assert marked.cookies[FRAMED_COOKIE].value == "1"
    assert marked.cookies[FRAMED_COOKIE]["httponly"]
    plain = through(SessionStore(), {FRAMED_COOKIE: "1"})
    assert plain.cookies[FRAMED_COOKIE]["max-age"] == 0
