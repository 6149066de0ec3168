"""What a lesson page shows every reader alike, built once per course version.

Most of a lesson page is the same for everyone: the lesson row with its rendered body,
its checkpoint's questions, its exercises, the glossary cards its links pop up, the
pager. What is a reader's own stays out and is added on every request: the site header
(who is signed in, their notifications), the CSP nonce on the script tags, the CSRF
token, the student's progress, deadlines, scores and their draw of the checkpoint.

The shared part is read from the database on first use and kept in each web process,
under the course's version: the fingerprint of its files and the time of the import that
last changed one of its rows. Publishing writes both in the transaction that writes the
rows, so the first request after the commit sees another version and builds it again;
the old entry is never read after that (it is replaced). Never cached: a draft's preview
(its authors' walk-through of a version that is not published) and a course that was not
imported from files (it has no fingerprint, and the admin may edit its rows).

In the process rather than in Django's cache (Redis in production, files on the embedded
default): an entry is model rows and HTML, about 120 kB, which the process hands to the
view as they are (well under a microsecond), where Redis or the files take about 0.3 ms
to fetch and unpickle it on every page, and would keep serving an entry rendered by the
previous release's templates after a deploy. Each gunicorn worker builds an entry once
per version (six queries, about 8 ms); the least recently used goes beyond
``CACHE_SIZE``. ``LESSON_HTML_CACHE = False`` (the setting) builds every page from the
database; bench/lessons.py measures the page both ways beside a static file.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from .models import Course, Exercise, Lesson, Question, Quiz
from .selectors import lesson_get, lesson_glossary_terms, lesson_quiz

# Lessons kept per process, about 120 kB each (the shipped course's 15 take 1.8 MB): at
# most about 25 MB per gunicorn worker.
CACHE_SIZE = 200


@dataclass(frozen=True)
class LessonParts:
    """The lesson page's shared part. Its rows are shared by every request of the
    process: read them, never change them (``lesson_for`` gives a request its own
    copy of the lesson)."""

    lesson: Lesson
    quiz: Quiz | None
    questions: tuple[Question, ...]  # the checkpoint's active questions, in order
    exercises: tuple[Exercise, ...]
    cards_html: str  # the glossary cards behind the lesson's links (safe HTML)
    pager_html: str  # previous and next lesson (safe HTML)

    def lesson_for(self, course: Course) -> Lesson:
        """This request's copy of the lesson, pointing at this request's course row."""
        lesson = copy.copy(self.lesson)
        lesson.course = course
        return lesson


class Recent:
    """key -> (version, entry), the least recently used out first: (course, lesson slug)
    -> (version, parts) here, and the shared pages of courses/lesson_shell.py."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, version):
        with self.lock:
            found = self.entries.get(key)
            if found is None or found[0] != version:
                return None
            self.entries.move_to_end(key)
            return found[1]

    def peek(self, key) -> tuple | None:
        """(version, entry) whatever the version, or None."""
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key, version, parts) -> None:
        with self.lock:
            self.entries[key] = (version, parts)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()

    def __len__(self) -> int:
        return len(self.entries)


_recent = Recent(CACHE_SIZE)


def course_version(course: Course) -> tuple | None:
    """What identifies the course's content, or None when it must not be cached."""
    if course.is_preview or not course.content_hash or course.synced_at is None:
        return None
    return (course.slug, course.content_hash, course.synced_at)


def lesson_parts(*, course: Course, slug: str) -> LessonParts:
    """The shared part of the page of the course's lesson ``slug`` (404 when the course
    has no such active lesson), from this process's cache when the version matches."""
    version = course_version(course)
    if version is None or not getattr(settings, "LESSON_HTML_CACHE", True):
        return build_lesson_parts(course=course, slug=slug)
    key = (course.pk, slug)
    parts = _recent.get(key, version)
    if parts is None:
        parts = build_lesson_parts(course=course, slug=slug)
        _recent.put(key, version, parts)
    return parts


def build_lesson_parts(*, course: Course, slug: str) -> LessonParts:
    """Read and render the shared part from the database: six queries."""
    lesson = lesson_get(course=course, slug=slug)
    siblings = list(course.lessons.filter(is_active=True).values_list("slug", "title"))
    index = [sibling for sibling, _ in siblings].index(lesson.slug)
    quiz = lesson_quiz(lesson=lesson)
    questions: tuple[Question, ...] = ()
    if quiz is not None:
        # Set here so that no request reads it (and writes the shared row's cache).
        quiz.course = course
        # Each question's quiz is this row (the related manager says so): no query later.
        questions = tuple(quiz.questions.filter(is_active=True))
    pager = {
        "course": course,
        "previous": siblings[index - 1] if index > 0 else None,
        "next": siblings[index + 1] if index + 1 < len(siblings) else None,
    }
    cards = {"course": course, "terms": lesson_glossary_terms(lesson=lesson)}
    return LessonParts(
        lesson=lesson,
        quiz=quiz,
        questions=questions,
        exercises=tuple(lesson.exercises.filter(is_active=True)),
        cards_html=render_to_string("courses/_lesson_cards.html", cards),
        pager_html=render_to_string("courses/_lesson_pager.html", pager),
    )


def lesson_cache_clear() -> None:
    """Forget every entry of this process (tests; a deploy starts new processes)."""
    _recent.clear()
