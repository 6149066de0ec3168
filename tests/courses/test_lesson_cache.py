"""The lesson page's shared part is cached per course version (courses/lesson_cache.py):
a second page costs fewer queries, a publish shows its text at once, each reader keeps
their own progress, checkpoint, CSRF token and CSP nonce, and drafts are never cached."""

import json
import re
import shutil

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from authoring.models import CourseSource, CourseVersion
from authoring.services import version_preview, version_publish
from courses import lesson_cache
from courses.models import Course, LessonProgress
from courses.rendering import (
    RenderResult,
    _default_resolver,
    _Job,
    _Parser,
    render_markdown,
    sanitize,
)
from tests.courses.conftest import QUIZ_FIXTURE, edit
from tests.courses.test_course_links import reader, shipped  # noqa: F401

pytestmark = pytest.mark.django_db

BODY, NEW_BODY = "is one number", "is a single number"
CHOICE, NEW_CHOICE = "Against the gradient.", "Opposite to the gradient."
CARD, NEW_CARD = "One number that says how wrong the model is.", "How wrong it is, in one number."
BUILD_QUERIES = 6  # lesson, siblings, checkpoint, its questions, exercises, glossary cards
NONCE = re.compile(r'<script [^>]*nonce="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def empty_cache():
    lesson_cache.lesson_cache_clear()
    yield
    lesson_cache.lesson_cache_clear()


def lesson_url(course, slug="basics", name="lesson"):
    return reverse(f"courses:{name}", args=[course.slug, slug])


def shows(text: str, *needles: str, some: bool = False) -> bool:
    """Whether every needle is in the text (``some``: any of them)."""
    return (any if some else all)(needle in text for needle in needles)


def page(client, url) -> tuple[str, int]:
    """The page's HTML and the queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def reading(client, user, course):
    """The client of a signed-in student past the lesson's think prompt, who has opened
    the lesson once already (a first visit also writes the student's standing in the
    course, which later visits only move: grading/standings.py), with nothing cached."""
    for lesson in course.lessons.all():
        LessonProgress.objects.update_or_create(
            user=user, lesson=lesson, defaults={"think_skipped": True}
        )
    client.force_login(user)
    client.get(lesson_url(course))
    lesson_cache.lesson_cache_clear()
    return client


# Versions as the authoring app keeps them: exported folders, published in turn ------------


@pytest.fixture
def versions(tmp_path, author):
    """A course source with two versions: v2 changes the lesson's body, a checkpoint
    choice and a glossary card of v1."""
    first, second = tmp_path / "v1", tmp_path / "v2"
    shutil.copytree(QUIZ_FIXTURE, first)
    shutil.copytree(QUIZ_FIXTURE, second)
    edit(second / "lessons" / "01-basics.md", BODY, NEW_BODY)
    edit(second / "quizzes" / "basics.yaml", CHOICE, NEW_CHOICE)
    edit(second / "glossary.yaml", CARD, NEW_CARD)
    source = CourseSource.objects.create(name="Quizzed", repo_url=str(tmp_path), created_by=author)
    source.authors.add(author)
    return [
        CourseVersion.objects.create(
            source=source,
            number=number,
            sha=f"{number}" * 40,
            checkout=str(folder),
            course_slug="quizzed",
            course_title="Quizzed Course",
        )  # fmt: skip
        for number, folder in ((1, first), (2, second))
    ]


@pytest.fixture
def author(db):
    from courses.services import instructor_grant
    from tests.conftest import person

    user = person("mary")
    instructor_grant(user=user)
    return user


def published(version, author) -> Course:
    version_publish(version=version, user=author)
    return Course.objects.get(slug="quizzed")


# The cache ------------------------------------------------------------------------------


def test_the_second_page_comes_from_the_cache_with_fewer_queries(client, student, quiz_course):
    reading(client, student, quiz_course)
    first, built = page(client, lesson_url(quiz_course))
    second, cached = page(client, lesson_url(quiz_course))
    assert cached == built - BUILD_QUERIES
    assert len(lesson_cache._recent) == 1
    # The same page but for what is drawn per response.
    same = [NONCE, CSRF]
    for pattern in same:
        first, second = pattern.sub("", first), pattern.sub("", second)
    assert first == second
    assert shows(second, BODY, CHOICE, CARD)


def test_with_the_setting_off_every_page_is_built(client, student, quiz_course, settings):
    settings.LESSON_HTML_CACHE = False
    reading(client, student, quiz_course)
    _, built = page(client, lesson_url(quiz_course))
    _, again = page(client, lesson_url(quiz_course))
    assert again == built
    assert len(lesson_cache._recent) == 0


def test_a_cached_page_costs_the_same_queries_whatever_the_lesson(reader, shipped):  # noqa: F811
    counts = {}
    for lesson in shipped.lessons.filter(is_active=True):
        url = lesson_url(shipped, lesson.slug)
        page(reader, url)
        _, count = page(reader, url)
        # The student's scores are one query, asked only of a lesson with exercises.
        counts[lesson.slug] = count - lesson.exercises.filter(is_active=True).exists()
    # The shipped lessons have 0 to 4 exercises, 7 to 9 questions, 3 to 14 glossary cards.
    assert len(set(counts.values())) == 1, counts
    assert max(counts.values()) <= 10


def test_a_lesson_that_does_not_exist_is_a_404_and_nothing_is_kept(client, quiz_course):
    assert client.get(lesson_url(quiz_course, "nope")).status_code == 404
    assert len(lesson_cache._recent) == 0


# Publishing -----------------------------------------------------------------------------


def test_a_publish_shows_the_new_version_at_once(client, student, author, versions):
    v1, v2 = versions
    course = published(v1, author)
    reading(client, student, course)
    for _ in range(2):
        text, _ = page(client, lesson_url(course))
        assert shows(text, BODY, CHOICE, CARD)

    course = published(v2, author)
    text, _ = page(client, lesson_url(course))
    assert shows(text, NEW_BODY, NEW_CHOICE, NEW_CARD)
    assert not shows(text, BODY, CHOICE, CARD, some=True)

    # Publishing the first version again (the rollback) brings its text back at once too.
    course = published(v1, author)
    text, _ = page(client, lesson_url(course))
    assert shows(text, BODY, CHOICE, CARD)
    assert NEW_BODY not in text


# Each reader's own part -----------------------------------------------------------------


def test_two_students_get_their_own_state_around_the_cached_body(
    student, second_student, quiz_course
):
    ada, alan = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    reading(ada, student, quiz_course)
    reading(alan, second_student, quiz_course)
    lesson = quiz_course.lessons.get()
    LessonProgress.objects.filter(user=student).update(
        state=LessonProgress.State.PASSED, reading_position=0.25
    )
    LessonProgress.objects.filter(user=second_student).update(reading_position=0.75)
    mine = LessonProgress.objects.get(user=student, lesson=lesson)
    theirs = LessonProgress.objects.get(user=second_student, lesson=lesson)

    ada_page, built = page(ada, lesson_url(quiz_course))
    alan_page, cached = page(alan, lesson_url(quiz_course))
    assert cached < built  # Alan's page came from the cache Ada's filled
    for text, own, other in ((ada_page, mine, theirs), (alan_page, theirs, mine)):
        assert shows(text, BODY, CARD)
        assert f'name="attempt" value="{own.quiz_token}"' in text
        assert other.quiz_token not in text
        assert f'data-reading-position="{own.reading_position:.4f}"' in text
    assert "You have passed this checkpoint already." in ada_page
    assert "You have passed this checkpoint already." not in alan_page

    # Each page's nonce is the one its own response's policy allows, and only there.
    ada_nonce, alan_nonce = (set(NONCE.findall(text)) for text in (ada_page, alan_page))
    assert len(ada_nonce) == len(alan_nonce) == 1
    assert ada_nonce != alan_nonce
    response = ada.get(lesson_url(quiz_course))
    nonce = NONCE.search(response.content.decode())[1]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]

    # Each page's CSRF token is its reader's: accepted from them, refused from the other.
    position = lesson_url(quiz_course, name="lesson_position")
    ada_token, alan_token = (CSRF.search(text)[1] for text in (ada_page, alan_page))
    assert (
        alan.post(position, {"position": 0.5, "csrfmiddlewaretoken": ada_token}).status_code == 403
    )
    assert (
        ada.post(position, {"position": 0.5, "csrfmiddlewaretoken": ada_token}).status_code == 204
    )
    assert (
        alan.post(position, {"position": 0.5, "csrfmiddlewaretoken": alan_token}).status_code == 204
    )


def test_the_cached_part_holds_nothing_of_a_reader(client, student, quiz_course):
    reading(client, student, quiz_course)
    page(client, lesson_url(quiz_course))
    ((_, parts),) = lesson_cache._recent.entries.values()
    shared = parts.cards_html + parts.pager_html
    assert not shows(shared, "csrfmiddlewaretoken", "nonce", some=True)
    assert student.username not in shared


# Drafts ---------------------------------------------------------------------------------


def test_a_drafts_preview_is_never_cached(client, author, versions):
    v1, v2 = versions
    course = published(v1, author)
    preview = version_preview(version=v2)
    reading(client, author, preview)
    url = lesson_url(preview)
    text, built = page(client, url)
    again, not_cached = page(client, url)
    assert shows(again, NEW_BODY, "preview-banner")
    assert not_cached == built
    assert len(lesson_cache._recent) == 0

    # The published page, cached, keeps the published text beside the preview.
    reading(client, author, course)
    for _ in range(2):
        text, _ = page(client, lesson_url(course))
        assert BODY in text
        assert NEW_BODY not in text
    assert [key for key in lesson_cache._recent.entries] == [(course.pk, "basics")]


def test_the_editors_live_preview_does_not_reach_the_published_page(
    client, author, versions, settings, tmp_path
):
    settings.AUTHORING_DIR = tmp_path / "authoring"
    v1, _ = versions
    course = published(v1, author)
    reading(client, author, course)
    page(client, lesson_url(course))
    lesson_file = "lessons/01-basics.md"
    draft = (QUIZ_FIXTURE / lesson_file).read_text().replace(BODY, "is an edit in progress")
    response = client.post(
        reverse("authoring:render", args=[v1.source_id]),
        json.dumps({"path": lesson_file, "content": draft}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert "is an edit in progress" in response.json()["html"]
    text, _ = page(client, lesson_url(course))
    assert BODY in text
    assert "is an edit in progress" not in text


# The renderer, reused -------------------------------------------------------------------


def test_a_reused_parser_renders_each_text_as_a_fresh_one_would():
    texts = [
        "[a]: https://example.org/a\n\nSee [a] and [loss](glossary:loss).\n",
        "See [a], which this text never defined.\n",
        "{{ widget: loss-sliders | The *bowl* }}\n\nThen $x^2$ and\n\n```python\nx = 1\n```\n",
        "<script>alert(1)</script> and [bad](quiz:nope)\n",
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n!!! note\n    Careful.\n",
    ]

    def fresh(text):
        result = RenderResult(html="")
        job = _Job(result=result, resolve=_default_resolver)
        result.html = sanitize(_Parser().convert(text, job))
        return result

    for text in texts + texts[::-1]:
        reused, alone = render_markdown(text), fresh(text)
        assert (reused.html, reused.links, reused.widgets) == (
            alone.html,
            alone.links,
            alone.widgets,
        )
    assert "example.org" not in render_markdown(texts[1]).html
