"""Validate a course directory and import it (see docs/course-format.md).

Three phases. ``load_course_dir`` reads every file (manifest, lessons, quizzes, exercise
folders, glossary) into plain dataclasses and collects every problem it finds, each with
file and line, without touching the database; ``render_course`` renders the Markdown and
reports broken course links. ``course_sync`` then grades the reference and the starter
of every exercise whose files changed since the last import (the self-check), and
imports only when there are no problems at all, in one transaction, matching rows by
slug: a second run changes nothing, and rows that student progress can point at
(lessons, quizzes, questions, exercises) are marked inactive, never deleted.
"""

import ast
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from . import quizzes
from .models import Course, Exercise, GlossaryTerm, Lesson, Question, Quiz
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
    field_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class QuizFile:
    quiz: quizzes.QuizSource
    file: str
    lines: dict[tuple, int]

    def line(self, path: tuple) -> int | None:
        return _line_at(self.lines, path)


@dataclass
class ExerciseSource:
    slug: str
    title: str
    lesson: str
    entry: str
    kind: str
    signature: str
    points: float
    time_s: float
    memory_mb: int
    hints: list[str]
    mistake_titles: list[str]
    statement: str
    starter: str
    folder: str  # relative to the course root: exercises/<slug>
    content_hash: str


@dataclass
class CourseSource:
    root: Path
    slug: str
    title: str
    description: str
    prerequisites: list[str]
    lessons: list[LessonSource] = field(default_factory=list)
    glossary: list[dict] = field(default_factory=list)
    quizzes: dict[str, QuizFile] = field(default_factory=dict)
    exercises: dict[str, ExerciseSource] = field(default_factory=dict)
    # Every quiz file and exercise folder, valid or not: a link to one that has problems
    # of its own is not also a broken link.
    quiz_names: set[str] = field(default_factory=set)
    exercise_names: set[str] = field(default_factory=set)
    content_hash: str = ""


def _rel(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _yaml_problem(exc: yaml.YAMLError, file: str, offset: int = 0) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 + offset if mark else None
    return Problem(file, line, f"bad YAML: {getattr(exc, 'problem', None) or exc}")


def _load_yaml(path: Path, root: Path, problems: list[Problem]):
    data, _ = _load_yaml_with_lines(path, root, problems)
    return data


def _load_yaml_with_lines(path: Path, root: Path, problems: list[Problem]):
    """The document and a map from its paths (``("questions", 2, "answer")``) to lines."""
    file = _rel(root, path)
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except FileNotFoundError:
        problems.append(Problem(file, None, "file is missing"))
    except UnicodeDecodeError:
        problems.append(Problem(file, None, "file is not UTF-8"))
    except yaml.YAMLError as exc:
        problems.append(_yaml_problem(exc, file))
    else:
        lines: dict[tuple, int] = {}
        if node is not None:
            _map_lines(node, (), lines)
        return data, lines
    return None, {}


def _map_lines(node, path: tuple, lines: dict) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            # A field's problem points at its key's line, where the author looks for it.
            child = path + (key.value,)
            lines[child] = key.start_mark.line + 1
            _map_lines(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _map_lines(item, path + (index,), lines)


def _line_at(lines: dict, path: tuple) -> int | None:
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path)


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


_FRONT_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


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
    field_lines = {}
    for number, line in enumerate(front.splitlines(), start=2):
        match = _FRONT_KEY.match(line)
        if match:
            field_lines.setdefault(match.group(1), number)
    before = len(problems)
    slug = _require(meta, "slug", str, file, problems, 1)
    title = _require(meta, "title", str, file, problems, 1)
    exercises = meta.get("exercises") or []
    if not isinstance(exercises, list):
        problems.append(
            Problem(file, field_lines.get("exercises", 1), "field 'exercises' must be a list")
        )
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
        field_lines=field_lines,
    )


def _hash_tree(root: Path) -> str:
    # Bytecode caches are not content: importing checks.py must not make a course "changed".
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if "__pycache__" in relative.parts or path.suffix == ".pyc":
            continue
        digest.update(str(relative).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _load_quiz(path: Path, root: Path, problems: list[Problem]) -> QuizFile | None:
    file = _rel(root, path)
    before = len(problems)
    data, lines = _load_yaml_with_lines(path, root, problems)
    if len(problems) > before:
        return None

    def report(where: tuple, message: str) -> None:
        problems.append(Problem(file, _line_at(lines, where) or 1, message))

    quiz = quizzes.parse_quiz(data, path.stem, report)
    return None if quiz is None else QuizFile(quiz=quiz, file=file, lines=lines)


EXERCISE_FIELDS = {
    "slug", "title", "lesson", "entry", "kind", "signature", "points", "limits", "hints",
    "mistakes",
}  # fmt: skip
EXERCISE_FILES = ("exercise.yaml", "statement.md", "starter.py", "reference.py", "checks.py")
MISTAKE_FIELDS = {"file", "title", "hint"}


def _python_problems(path: Path, file: str, defines: str | None) -> list[Problem]:
    """Syntax errors with their line, and whether the module defines ``defines``."""
    try:
        tree = ast.parse(path.read_bytes(), filename=file)
    except SyntaxError as exc:
        return [Problem(file, exc.lineno, f"syntax error: {exc.msg}")]
    except ValueError as exc:  # NUL bytes
        return [Problem(file, None, f"cannot be parsed: {exc}")]
    if defines is None:
        return []
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    if defines in names:
        return []
    return [Problem(file, 1, f"does not define {defines!r} at the top level")]


def _load_exercise(directory: Path, root: Path, problems: list[Problem]):
    from judge.exercise import ExerciseInvalid, parse_signature

    folder = _rel(root, directory)
    file = f"{folder}/exercise.yaml"
    before = len(problems)
    for name in EXERCISE_FILES:
        if not (directory / name).is_file():
            problems.append(Problem(f"{folder}/{name}", None, "file is missing"))
    if not (directory / "exercise.yaml").is_file():
        return None
    meta, lines = _load_yaml_with_lines(directory / "exercise.yaml", root, problems)
    if meta is None and len(problems) > before:
        return None

    def report(where: tuple, message: str) -> None:
        problems.append(Problem(file, _line_at(lines, where) or 1, message))

    if not isinstance(meta, dict):
        report((), "exercise.yaml must be a mapping")
        return None
    for key in meta:
        if key not in EXERCISE_FIELDS:
            report((key,), f"unknown field {key!r} in exercise.yaml")
    values = {}
    for key in ("slug", "title", "entry", "signature"):
        value = meta.get(key)
        if not isinstance(value, str) or not value.strip():
            report((key,), f"missing required field {key!r} (text)")
        values[key] = value if isinstance(value, str) else ""
    if values["slug"] and values["slug"] != directory.name:
        report(("slug",), f"slug {values['slug']!r} must match the folder name {directory.name!r}")
    kind = meta.get("kind", "function")
    if kind not in ("function", "class"):
        report(("kind",), f"unknown exercise kind {kind!r} (expected function or class)")
    elif values["entry"] and values["signature"]:
        if kind == "function":
            try:
                parse_signature(values["signature"], values["entry"])
            except ExerciseInvalid as exc:
                report(("signature",), str(exc))
        elif values["signature"].strip() != f"class {values['entry']}":
            report(("signature",), f"a class exercise's signature is 'class {values['entry']}'")
    lesson = meta.get("lesson") or ""
    if not isinstance(lesson, str):
        report(("lesson",), "lesson must be a lesson slug")
        lesson = ""
    points = meta.get("points", 10)
    if not _positive(points):
        report(("points",), "points must be a number above 0")
    limits = meta.get("limits") or {}
    if not isinstance(limits, dict):
        report(("limits",), "limits must be a mapping {time_s: ..., memory_mb: ...}")
        limits = {}
    for key, value in limits.items():
        if key not in ("time_s", "memory_mb"):
            report(("limits", key), f"unknown limit {key!r} (expected time_s, memory_mb)")
        elif not _positive(value):
            report(("limits", key), f"limit {key} must be a number above 0")
    hints = meta.get("hints") or []
    if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
        report(("hints",), "hints must be a list of non-empty texts")
        hints = []
    mistake_titles = []
    mistakes = meta.get("mistakes") or []
    if not isinstance(mistakes, list):
        report(("mistakes",), "mistakes must be a list of {file, title, hint}")
        mistakes = []
    for index, item in enumerate(mistakes):
        where = ("mistakes", index)
        if not isinstance(item, dict):
            report(where, "a mistake must be a mapping with file, title and hint")
            continue
        for key in item:
            if key not in MISTAKE_FIELDS:
                report(where + (key,), f"unknown field {key!r} for a mistake")
        for key in ("file", "title", "hint"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                report(where, f"mistake {index + 1} needs {key!r} (text)")
        name = item.get("file")
        if isinstance(name, str) and name.strip():
            path = (directory / name).resolve()
            if directory.resolve() not in path.parents:
                report(where + ("file",), f"mistake file {name} is outside the exercise folder")
            elif not path.is_file():
                report(where + ("file",), f"mistake file {name} does not exist")
            else:
                problems.extend(_python_problems(path, f"{folder}/{name}", values["entry"] or None))
        if isinstance(item.get("title"), str):
            mistake_titles.append(item["title"])
    for name, defines in (
        ("reference.py", values["entry"] or None),
        ("starter.py", values["entry"] or None),
        ("checks.py", "CHECKS"),
    ):
        if (directory / name).is_file():
            problems.extend(_python_problems(directory / name, f"{folder}/{name}", defines))
    texts = {}
    for name in ("statement.md", "starter.py"):
        try:
            texts[name] = (directory / name).read_text(encoding="utf-8")
        except FileNotFoundError:
            texts[name] = ""
        except UnicodeDecodeError:
            problems.append(Problem(f"{folder}/{name}", None, "file is not UTF-8"))
    if len(problems) > before:
        return None
    return ExerciseSource(
        slug=values["slug"],
        title=values["title"],
        lesson=lesson,
        entry=values["entry"],
        kind=kind,
        signature=values["signature"],
        points=float(points),
        time_s=float(limits.get("time_s", 5)),
        memory_mb=int(limits.get("memory_mb", 256)),
        hints=list(hints),
        mistake_titles=mistake_titles,
        statement=texts["statement.md"],
        starter=texts["starter.py"],
        folder=folder,
        content_hash=_hash_tree(directory),
    )


def _positive(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


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
        entries, lines = _load_yaml_with_lines(glossary_path, root, problems)
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(entry, dict) or not entry.get("slug") or not entry.get("term"):
                problems.append(
                    Problem(
                        "glossary.yaml",
                        _line_at(lines, (index,)),
                        f"entry {index + 1} needs slug and term",
                    )
                )
                continue
            course.glossary.append(entry)

    for path in sorted((root / "quizzes").glob("*.yaml")):
        course.quiz_names.add(path.stem)
        quiz = _load_quiz(path, root, problems)
        if quiz is not None:
            course.quizzes[quiz.quiz.slug] = quiz
    exercises_dir = root / "exercises"
    if exercises_dir.is_dir():
        for directory in sorted(p for p in exercises_dir.iterdir() if p.is_dir()):
            if directory.name == "__pycache__":
                continue
            course.exercise_names.add(directory.name)
            exercise = _load_exercise(directory, root, problems)
            if exercise is not None:
                course.exercises[exercise.slug] = exercise
    problems.extend(_cross_reference_problems(course, by_slug))
    course.content_hash = _hash_tree(root)
    return course, problems


def _cross_reference_problems(course: CourseSource, lessons: dict) -> list[Problem]:
    """Lessons name quizzes and exercises, exercises name lessons: each name must exist.

    ``lessons`` holds every lesson file read, in the study path or not, so a lesson left
    out of course.yaml is reported once, for that, and not again for its references.
    """
    problems = []
    quiz_owner: dict[str, str] = {}
    quiz_files = course.quiz_names
    exercise_dirs = course.exercise_names
    for lesson in course.lessons:
        if lesson.quiz:
            line = lesson.field_lines.get("quiz", 1)
            if lesson.quiz not in quiz_files:
                problems.append(
                    Problem(
                        lesson.file,
                        line,
                        f"quiz {lesson.quiz!r} does not exist (no quizzes/{lesson.quiz}.yaml)",
                    )
                )
            elif lesson.quiz in quiz_owner:
                problems.append(
                    Problem(
                        lesson.file,
                        line,
                        f"quiz {lesson.quiz!r} is already the checkpoint of lesson "
                        f"{quiz_owner[lesson.quiz]!r}",
                    )
                )
            quiz_owner.setdefault(lesson.quiz, lesson.slug)
        for slug in lesson.exercises:
            line = lesson.field_lines.get("exercises", 1)
            if slug not in exercise_dirs:
                problems.append(
                    Problem(
                        lesson.file,
                        line,
                        f"exercise {slug!r} does not exist (no exercises/{slug}/)",
                    )
                )
                continue
            exercise = course.exercises.get(slug)
            if exercise and exercise.lesson and exercise.lesson != lesson.slug:
                problems.append(
                    Problem(
                        lesson.file,
                        line,
                        f"lists exercise {slug!r}, whose exercise.yaml says lesson "
                        f"{exercise.lesson!r}",
                    )
                )
    for slug, quiz in course.quizzes.items():
        if slug not in quiz_owner:
            problems.append(
                Problem(
                    quiz.file,
                    1,
                    f"quiz {slug!r} is not the checkpoint of any lesson (add quiz: {slug} "
                    "to a lesson's front matter)",
                )
            )
    for exercise in course.exercises.values():
        if exercise.lesson and exercise.lesson not in lessons:
            problems.append(
                Problem(
                    f"{exercise.folder}/exercise.yaml",
                    None,
                    f"lesson {exercise.lesson!r} does not exist",
                )
            )
    return problems


def _line_of(text: str, needle: str, first_line: int) -> int | None:
    offset = text.find(needle)
    return None if offset < 0 else first_line + text.count("\n", 0, offset)


def _url_or_anchor(name: str, args: list[str], anchor: str) -> str:
    # Quiz and exercise pages may not exist yet; until their URL names do, a link goes
    # to the item's anchor in the lesson page.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return anchor


def _resolver(course: CourseSource):
    lessons = {lesson.slug for lesson in course.lessons}
    terms = {entry["slug"] for entry in course.glossary}

    def resolve(scheme: str, slug: str) -> str | None:
        if scheme == "glossary" and slug in terms:
            return reverse("courses:glossary", args=[course.slug]) + f"#term-{slug}"
        if scheme == "lesson" and slug in lessons:
            return reverse("courses:lesson", args=[course.slug, slug])
        if scheme == "quiz" and slug in course.quiz_names:
            return _url_or_anchor("courses:quiz", [course.slug, slug], f"#quiz-{slug}")
        if scheme == "exercise" and slug in course.exercise_names:
            return _url_or_anchor("courses:exercise", [course.slug, slug], f"#exercise-{slug}")
        return None

    return resolve


@dataclass
class Rendered:
    lessons: dict[str, str] = field(default_factory=dict)
    statements: dict[str, str] = field(default_factory=dict)
    # (quiz slug, question slug) -> prompt html; choice html goes into the spec
    prompts: dict[tuple[str, str], str] = field(default_factory=dict)
    specs: dict[tuple[str, str], dict] = field(default_factory=dict)


def render_course(source: CourseSource) -> tuple[Rendered, list[Problem]]:
    """Render every piece of Markdown once, reporting each broken course link."""
    resolve = _resolver(source)
    problems: list[Problem] = []
    rendered = Rendered()

    def render(text: str, file: str, first_line: int | None, fixed_line: bool = False) -> str:
        result = render_markdown(text, resolve)
        for scheme, slug in result.broken_links:
            line = first_line
            if not fixed_line and first_line is not None:
                line = _line_of(text, f"({scheme}:{slug})", first_line)
            problems.append(Problem(file, line, f"broken link to {scheme} {slug!r}"))
        return result.html

    for lesson in source.lessons:
        rendered.lessons[lesson.slug] = render(lesson.body, lesson.file, lesson.body_line)
    for slug, exercise in source.exercises.items():
        rendered.statements[slug] = render(exercise.statement, f"{exercise.folder}/statement.md", 1)
    for quiz_slug, quiz_file in source.quizzes.items():
        for question in quiz_file.quiz.questions:
            key = (quiz_slug, question.slug)
            line = quiz_file.line(question.path + ("prompt",))
            rendered.prompts[key] = render(question.prompt, quiz_file.file, line, True)
            if question.explanation:
                where = quiz_file.line(question.path + ("explanation",))
                render(question.explanation, quiz_file.file, where, True)
            spec = dict(question.spec)
            if "choices" in spec:
                choices = []
                for index, choice in enumerate(spec["choices"]):
                    where = quiz_file.line(question.path + ("choices", index))
                    choices.append(
                        {
                            **choice,
                            "text_html": render(choice["text"], quiz_file.file, where, True),
                            "explanation_html": render(
                                choice["explanation"], quiz_file.file, where, True
                            ),
                        }
                    )
                spec["choices"] = choices
            rendered.specs[key] = spec
    return rendered, problems


def _available_sandbox():
    """The isolated sandbox, or (None, why not)."""
    from grading import sandbox_pool
    from sandbox import SandboxUnavailable

    try:
        return sandbox_pool.worker_sandbox(), ""
    except SandboxUnavailable as exc:
        return None, str(exc)


def _selfcheck(source: CourseSource, exercise: ExerciseSource, sandbox) -> list[Problem]:
    """The reference must score 1.0 and the starter below it, through the real sandbox."""
    from judge.engine import PASSED, grade_source
    from judge.exercise import ExerciseInvalid, exercise_from_course

    folder = exercise.folder
    try:
        spec = exercise_from_course(source.root, exercise.slug)
    except ExerciseInvalid as exc:
        return [Problem(f"{folder}/exercise.yaml", None, f"the grader cannot load it: {exc}")]
    # A seed fixed by the content: the same files always get the same verdict.
    seed = int(exercise.content_hash[:8], 16)
    problems = []
    reference = grade_source(spec.reference_source, spec, sandbox, seed=seed)
    if reference.verdict != PASSED or reference.score < 1.0:
        failed = "; ".join(f"{c.name}: {c.message}" for c in reference.checks if not c.passed)
        problems.append(
            Problem(
                f"{folder}/reference.py",
                None,
                f"the reference scores {reference.score:.2f} ({reference.verdict}: "
                f"{failed or reference.message}); it must pass every check",
            )
        )
    starter = grade_source(spec.starter, spec, sandbox, seed=seed)
    if starter.score >= 1.0:
        problems.append(
            Problem(f"{folder}/starter.py", None, "the starter code passes every check")
        )
    return problems


@dataclass
class SyncReport:
    course: Course
    created: bool
    lessons: int
    counts: dict[str, Counter] = field(default_factory=dict)
    selfchecked: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            count[what]
            for count in self.counts.values()
            for what in ("created", "updated", "deactivated", "deleted")
        )

    def summary(self) -> str:
        parts = []
        for kind, count in self.counts.items():
            shown = ", ".join(f"{n} {what}" for what, n in count.items() if n)
            parts.append(f"{kind}: {shown or 'none'}")
        return "; ".join(parts)


def _upsert(model, counts: Counter, lookup: dict, values: dict):
    """Create or update one row, saving only the fields whose values changed."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        counts["created"] += 1
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        row.save(update_fields=changed)
        counts["updated"] += 1
    else:
        counts["unchanged"] += 1
    return row


def _deactivate(queryset, counts: Counter) -> None:
    deactivated = queryset.filter(is_active=True).update(is_active=False)
    if deactivated:
        counts["deactivated"] += deactivated


def course_sync(*, path: Path, selfcheck: bool = True) -> SyncReport:
    source, problems = load_course_dir(Path(path))
    if source is None:
        raise CourseInvalid(problems)
    rendered, link_problems = render_course(source)
    problems.extend(link_problems)
    if problems:
        raise CourseInvalid(problems)

    existing = Course.objects.filter(slug=source.slug).first()
    verified = {}
    if existing is not None:
        verified = dict(existing.exercises.values_list("slug", "content_hash"))
    to_check = [
        exercise
        for slug, exercise in source.exercises.items()
        if selfcheck and verified.get(slug) != exercise.content_hash
    ]
    warnings = []
    if to_check:
        sandbox, unavailable = _available_sandbox()
        if sandbox is None:
            # Where grading cannot run (the deploy's migrate step is not privileged), the
            # course still imports; the exercises keep no verified hash, so the first sync
            # with a working sandbox checks them, and the admin shows them unchecked.
            warnings.append(
                f"the sandbox is unavailable ({unavailable}): "
                f"{len(to_check)} changed exercise(s) imported without their self-check"
            )
            to_check = []
        for exercise in to_check:
            problems.extend(_selfcheck(source, exercise, sandbox))
    if problems:
        raise CourseInvalid(problems)
    checked = {exercise.slug for exercise in to_check}

    counts = {
        kind: Counter()
        for kind in ("course", "lessons", "glossary", "quizzes", "questions", "exercises")
    }
    with transaction.atomic():
        course = _upsert(
            Course,
            counts["course"],
            {"slug": source.slug},
            {
                "title": source.title,
                "description": source.description,
                "prerequisites": source.prerequisites,
                "source_path": str(source.root.resolve()),
                "content_hash": source.content_hash,
            },
        )
        lessons = {}
        for position, lesson in enumerate(source.lessons, start=1):
            lessons[lesson.slug] = _upsert(
                Lesson,
                counts["lessons"],
                {"course": course, "slug": lesson.slug},
                {
                    "title": lesson.title,
                    "summary": lesson.summary,
                    "position": position,
                    "minutes": lesson.minutes,
                    "think_prompt": lesson.think,
                    "widget": lesson.widget,
                    "body_markdown": lesson.body,
                    "body_html": rendered.lessons[lesson.slug],
                    "source_file": lesson.file,
                    "is_active": True,
                },
            )
        _deactivate(course.lessons.exclude(slug__in=lessons), counts["lessons"])
        for entry in source.glossary:
            _upsert(
                GlossaryTerm,
                counts["glossary"],
                {"course": course, "slug": entry["slug"]},
                {
                    "term": entry["term"],
                    "definition": entry.get("definition", ""),
                    "why": entry.get("why", ""),
                    "myth": entry.get("myth", ""),
                    "reality": entry.get("reality", ""),
                },
            )
        # Nothing points at a glossary card, so a removed term can go.
        deleted, _ = course.glossary.exclude(slug__in=[e["slug"] for e in source.glossary]).delete()
        if deleted:
            counts["glossary"]["deleted"] += deleted
        _sync_quizzes(course, source, rendered, lessons, counts)
        _sync_exercises(course, source, rendered, lessons, checked, counts)
        report = SyncReport(
            course=course,
            created=counts["course"]["created"] == 1,
            lessons=len(source.lessons),
            counts=counts,
            selfchecked=sorted(checked),
            warnings=warnings,
        )
        if report.changed:
            course.synced_at = timezone.now()
            course.save(update_fields=["synced_at"])
    return report


def _sync_quizzes(course, source: CourseSource, rendered: Rendered, lessons, counts) -> None:
    owner = {lesson.quiz: lesson.slug for lesson in source.lessons if lesson.quiz}
    for slug, quiz_file in source.quizzes.items():
        quiz_source = quiz_file.quiz
        quiz = _upsert(
            Quiz,
            counts["quizzes"],
            {"course": course, "slug": slug},
            {
                "lesson_id": lessons[owner[slug]].id,
                "title": quiz_source.title,
                "pass_threshold": quiz_source.pass_threshold,
                "source_file": quiz_file.file,
                "is_active": True,
            },
        )
        for position, question in enumerate(quiz_source.questions, start=1):
            _upsert(
                Question,
                counts["questions"],
                {"quiz": quiz, "slug": question.slug},
                {
                    "position": position,
                    "kind": question.kind,
                    "prompt_markdown": question.prompt,
                    "prompt_html": rendered.prompts[(slug, question.slug)],
                    "explanation_markdown": question.explanation,
                    "spec": rendered.specs[(slug, question.slug)],
                    "is_active": True,
                },
            )
        _deactivate(
            quiz.questions.exclude(slug__in=[q.slug for q in quiz_source.questions]),
            counts["questions"],
        )
    removed = course.quizzes.exclude(slug__in=list(source.quizzes))
    _deactivate(Question.objects.filter(quiz__in=removed), counts["questions"])
    _deactivate(removed, counts["quizzes"])


def _sync_exercises(course, source, rendered: Rendered, lessons, checked, counts) -> None:
    listed = {}
    for lesson in source.lessons:
        for position, slug in enumerate(lesson.exercises, start=1):
            listed[slug] = (lesson.slug, position)
    for slug, exercise in source.exercises.items():
        lesson_slug, position = listed.get(slug, (exercise.lesson, 0))
        lesson = lessons.get(lesson_slug or exercise.lesson)
        values = {
            "lesson_id": lesson.id if lesson else None,
            "title": exercise.title,
            "position": position,
            "entry": exercise.entry,
            "kind": exercise.kind,
            "signature": exercise.signature,
            "statement_markdown": exercise.statement,
            "statement_html": rendered.statements[slug],
            "starter_code": exercise.starter,
            "points": exercise.points,
            "time_limit_s": exercise.time_s,
            "memory_limit_mb": exercise.memory_mb,
            "hints": exercise.hints,
            "mistake_titles": exercise.mistake_titles,
            "source_dir": exercise.folder,
            "is_active": True,
        }
        # The stored hash says "these files passed the self-check": it moves only when
        # they did, so a sync with --skip-selfcheck leaves changed files to be checked.
        if slug in checked:
            values["content_hash"] = exercise.content_hash
        _upsert(Exercise, counts["exercises"], {"course": course, "slug": slug}, values)
    _deactivate(course.exercises.exclude(slug__in=list(source.exercises)), counts["exercises"])
