"""Every internal link in the shipped course opens a page that has what it points at.

A student who has opened every lesson (the think prompts skipped) reads each lesson page;
every link inside the lesson's body and every exercise statement is followed: it answers
200, and a link with a fragment lands on a page holding that id. The importer resolves
``exercise:`` links to the exercise page and ``quiz:`` links to the checkpoint of the
lesson that owns the quiz, and rejects links to slugs the course does not have.
"""

import re
import shutil
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlparse

import pytest
from django.conf import settings

from courses.importing import CourseInvalid, course_sync
from courses.models import Exercise, Lesson, LessonProgress
from tests.courses.conftest import line_of


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def parsed(html: str) -> _Links:
    links = _Links()
    links.feed(html)
    return links


def internal(hrefs: list[str]) -> list[str]:
    return [href for href in hrefs if not urlparse(href).scheme and not href.startswith("mailto:")]


@pytest.fixture
def shipped(db):
    return course_sync(path=settings.SHIPPED_COURSE_DIR).course


@pytest.fixture
def reader(client, student, shipped):
    for lesson in shipped.lessons.all():
        LessonProgress.objects.create(user=student, lesson=lesson, think_skipped=True)
    client.force_login(student)
    return client


def test_every_course_link_in_every_lesson_and_statement_opens_its_target(reader, shipped):
    pages: dict[str, _Links] = {}

    def page(path: str) -> _Links:
        if path not in pages:
            response = reader.get(path)
            assert response.status_code == 200, path
            pages[path] = parsed(response.content.decode())
        return pages[path]

    followed = 0
    sources = [lesson.body_html for lesson in shipped.lessons.filter(is_active=True)]
    sources += [e.statement_html for e in Exercise.objects.filter(course=shipped)]
    for html in sources:
        for href in internal(parsed(html).hrefs):
            path, fragment = urldefrag(href)
            target = page(path)
            if fragment:
                assert fragment in target.ids, f"{href}: no element with id {fragment!r}"
            followed += 1
    kinds = {
        kind
        for lesson in shipped.lessons.all()
        for kind in re.findall(r'class="course-link (\w+)-link"', lesson.body_html)
    }
    # The course links every kind of item; each link counted above was followed.
    assert kinds == {"glossary", "lesson", "exercise", "quiz"}
    assert followed > 50


def test_every_lesson_page_of_the_shipped_course_renders(reader, shipped):
    for lesson in Lesson.objects.filter(course=shipped, is_active=True):
        response = reader.get(f"/courses/{shipped.slug}/lessons/{lesson.slug}/")
        assert response.status_code == 200
        assert 'id="lesson-body"' in response.content.decode()


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("exercise:no-such-exercise", "broken link to exercise 'no-such-exercise'"),
        ("quiz:no-such-quiz", "broken link to quiz 'no-such-quiz'"),
        ("lesson:no-such-lesson", "broken link to lesson 'no-such-lesson'"),
        ("glossary:no-such-term", "broken link to glossary 'no-such-term'"),
    ],
)
def test_a_link_to_a_slug_the_course_does_not_have_is_rejected_at_its_line(
    db, tmp_path, link, message
):
    course = tmp_path / "course"
    shutil.copytree(settings.SHIPPED_COURSE_DIR, course)
    lesson = course / "lessons" / "01-loss.md"
    lesson.write_text(lesson.read_text() + f"\nSee [this]({link}).\n")
    with pytest.raises(CourseInvalid) as info:
        course_sync(path=course)
    line = line_of(lesson, f"({link})")
    assert [str(p) for p in info.value.problems] == [f"lessons/01-loss.md:{line}: {message}"]
