"""Validate a course directory and import it (see docs/course-format.md).

Two phases. ``load_course_dir`` reads every file into plain dataclasses and collects
every problem it finds, each with file and line, without touching the database.
``course_sync`` imports only when there are no problems, in one transaction, matching
rows by slug so a second run changes nothing and edits keep student progress.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .models import Course, GlossaryTerm, Lesson
from .rendering import render_markdown


@dataclass
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class CourseInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class LessonSource:
    slug: str
    title: str
    summary: str
    minutes: int
    think: str
    widget: str
    exercises: list[str]
    quiz: str
    body: str
    file: str
    body_line: int


@dataclass
class CourseSource:
    root: Path
    slug: str
    title: str
    description: str
    prerequisites: list[str]
    lessons: list[LessonSource] = field(default_factory=list)
    glossary: list[dict] = field(default_factory=list)
    content_hash: str = ""


def _rel(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _load_yaml(path: Path, root: Path, problems: list[Problem]):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(Problem(_rel(root, path), None, "file is missing"))
    except UnicodeDecodeError:
        problems.append(Problem(_rel(root, path), None, "file is not UTF-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problems.append(
            Problem(_rel(root, path), line, f"bad YAML: {getattr(exc, 'problem', exc)}")
        )
    return None


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Return (front matter, body, line number where the body starts)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return "", text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    raise ValueError("front matter opened with --- is never closed")


def _require(data: dict, key: str, kind, file: str, problems: list[Problem], line=None):
    value = data.get(key)
    if value is None or (kind is str and not str(value).strip()):
        problems.append(Problem(file, line, f"missing required field {key!r}"))
        return None
    if not isinstance(value, kind):
        problems.append(Problem(file, line, f"field {key!r} must be {kind.__name__}"))
        return None
    return value


def _load_lesson(path: Path, root: Path, problems: list[Problem]) -> LessonSource | None:
    file = _rel(root, path)
    try:
        text = path.read_text(encoding="utf-8")
        front, body, body_line = split_front_matter(text)
        meta = yaml.safe_load(front) or {}
    except UnicodeDecodeError:
        problems.append(Problem(file, None, "file is not UTF-8"))
        return None
    except ValueError as exc:
        problems.append(Problem(file, 1, str(exc)))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(
            Problem(file, mark.line + 2 if mark else 1, f"bad YAML in front matter: {exc}")
        )
        return None
    if not isinstance(meta, dict):
        problems.append(Problem(file, 1, "front matter must be a mapping"))
        return None
    before = len(problems)
    slug = _require(meta, "slug", str, file, problems, 1)
    title = _require(meta, "title", str, file, problems, 1)
    exercises = meta.get("exercises") or []
    if not isinstance(exercises, list):
        problems.append(Problem(file, 1, "field 'exercises' must be a list of slugs"))
        exercises = []
    if len(problems) > before:
        return None
    return LessonSource(
        slug=slug,
        title=title,
        summary=str(meta.get("summary", "")),
        minutes=int(meta.get("minutes", 10)),
        think=str(meta.get("think", "")),
        widget=str(meta.get("widget", "") or ""),
        exercises=[str(e) for e in exercises],
        quiz=str(meta.get("quiz", "") or ""),
        body=body,
        file=file,
        body_line=body_line,
    )


def _hash_tree(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_course_dir(root: Path) -> tuple[CourseSource | None, list[Problem]]:
    root = Path(root)
    problems: list[Problem] = []
    if not root.is_dir():
        return None, [Problem(str(root), None, "not a directory")]
    manifest = _load_yaml(root / "course.yaml", root, problems)
    if manifest is None:
        return None, problems
    if not isinstance(manifest, dict):
        return None, [Problem("course.yaml", 1, "must be a mapping")]
    slug = _require(manifest, "slug", str, "course.yaml", problems)
    title = _require(manifest, "title", str, "course.yaml", problems)
    order = _require(manifest, "lessons", list, "course.yaml", problems)
    if slug is None or title is None or order is None:
        return None, problems
    course = CourseSource(
        root=root,
        slug=slug,
        title=title,
        description=str(manifest.get("description", "")).strip(),
        prerequisites=list(manifest.get("prerequisites") or []),
    )
    by_slug: dict[str, LessonSource] = {}
    for path in sorted((root / "lessons").glob("*.md")):
        lesson = _load_lesson(path, root, problems)
        if lesson is None:
            continue
        if lesson.slug in by_slug:
            problems.append(Problem(lesson.file, 1, f"duplicate lesson slug {lesson.slug!r}"))
        by_slug[lesson.slug] = lesson
    for lesson_slug in order:
        if lesson_slug not in by_slug:
            problems.append(
                Problem("course.yaml", None, f"study path names unknown lesson {lesson_slug!r}")
            )
        else:
            course.lessons.append(by_slug[lesson_slug])
    for extra in sorted(set(by_slug) - set(order)):
        problems.append(
            Problem(by_slug[extra].file, 1, "lesson is not in the study path of course.yaml")
        )

    glossary_path = root / "glossary.yaml"
    if glossary_path.exists():
        entries = _load_yaml(glossary_path, root, problems) or []
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(entry, dict) or not entry.get("slug") or not entry.get("term"):
                problems.append(
                    Problem("glossary.yaml", None, f"entry {index + 1} needs slug and term")
                )
                continue
            course.glossary.append(entry)
    course.content_hash = _hash_tree(root)
    return course, problems


def _line_of(text: str, needle: str, first_line: int) -> int | None:
    offset = text.find(needle)
    return None if offset < 0 else first_line + text.count("\n", 0, offset)


def _resolver(course: CourseSource):
    lessons = {lesson.slug for lesson in course.lessons}
    terms = {entry["slug"] for entry in course.glossary}

    def resolve(scheme: str, slug: str) -> str | None:
        if scheme == "glossary" and slug in terms:
            return reverse("courses:glossary", args=[course.slug]) + f"#term-{slug}"
        if scheme == "lesson" and slug in lessons:
            return reverse("courses:lesson", args=[course.slug, slug])
        if scheme in ("exercise", "quiz"):
            # Exercises and quizzes are imported by the content pipeline of issue #4; until
            # then they resolve to their anchors in the lesson page.
            return f"#{scheme}-{slug}"
        return None

    return resolve


@dataclass
class SyncReport:
    course: Course
    created: bool
    changed: bool
    lessons: int


def course_sync(*, path: Path) -> SyncReport:
    source, problems = load_course_dir(Path(path))
    if source is None:
        raise CourseInvalid(problems)
    rendered = {}
    for lesson in source.lessons:
        result = render_markdown(lesson.body, _resolver(source))
        for scheme, slug in result.broken_links:
            line = _line_of(lesson.body, f"({scheme}:{slug})", lesson.body_line)
            problems.append(Problem(lesson.file, line, f"broken link to {scheme} {slug!r}"))
        rendered[lesson.slug] = result.html
    if problems:
        raise CourseInvalid(problems)

    with transaction.atomic():
        course, created = Course.objects.get_or_create(
            slug=source.slug, defaults={"title": source.title}
        )
        if not created and course.content_hash == source.content_hash:
            return SyncReport(
                course=course, created=False, changed=False, lessons=len(source.lessons)
            )
        course.title = source.title
        course.description = source.description
        course.prerequisites = source.prerequisites
        course.source_path = str(source.root)
        course.content_hash = source.content_hash
        course.synced_at = timezone.now()
        course.save()
        for position, lesson in enumerate(source.lessons, start=1):
            Lesson.objects.update_or_create(
                course=course,
                slug=lesson.slug,
                defaults={
                    "title": lesson.title,
                    "summary": lesson.summary,
                    "position": position,
                    "minutes": lesson.minutes,
                    "think_prompt": lesson.think,
                    "widget": lesson.widget,
                    "body_markdown": lesson.body,
                    "body_html": rendered[lesson.slug],
                    "source_file": lesson.file,
                    "is_active": True,
                },
            )
        course.lessons.exclude(slug__in=[lesson.slug for lesson in source.lessons]).update(
            is_active=False
        )
        for entry in source.glossary:
            GlossaryTerm.objects.update_or_create(
                course=course,
                slug=entry["slug"],
                defaults={
                    "term": entry["term"],
                    "definition": entry.get("definition", ""),
                    "why": entry.get("why", ""),
                    "myth": entry.get("myth", ""),
                    "reality": entry.get("reality", ""),
                },
            )
        course.glossary.exclude(slug__in=[e["slug"] for e in source.glossary]).delete()
    return SyncReport(course=course, created=created, changed=True, lessons=len(source.lessons))
