"""Phase 1 of a sync: read every file of a course directory and validate it.

``load_course_dir`` reads the manifest, the lessons, the quizzes, the exercise folders and
the glossary into plain dataclasses, checked against their schemas (`schema.py`, and
`judge.schema` for the exercises), and collects every problem it finds, each with file
and line, without touching the database and without running any course code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from judge.exercise import ExerciseFiles, read_exercise
from judge.files import Problem, YamlDocument, load_yaml, parse_yaml, relative, validate
from judge.fingerprint import fingerprint

from .schema import (
    COURSE_SENTENCES,
    GLOSSARY_SENTENCES,
    LESSON_SENTENCES,
    QUESTION_TAGS,
    QUIZ_SENTENCES,
    CourseManifest,
    Glossary,
    GlossaryEntry,
    LessonFrontMatter,
    QuizFileModel,
)


class CourseInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class LessonSource:
    front: LessonFrontMatter
    body: str
    file: str
    body_line: int
    document: YamlDocument

    @property
    def slug(self) -> str:
        return self.front.slug

    def line(self, key: str) -> int:
        return self.document.line((key,)) or 1


@dataclass
class QuizSource:
    quiz: QuizFileModel
    file: str
    document: YamlDocument

    def line(self, path: tuple) -> int | None:
        return self.document.line(path)


@dataclass
class CourseSource:
    root: Path
    manifest: CourseManifest
    lessons: list[LessonSource] = field(default_factory=list)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    quizzes: dict[str, QuizSource] = field(default_factory=dict)
    exercises: dict[str, ExerciseFiles] = field(default_factory=dict)
    # Every quiz file and exercise folder, valid or not: a link to one that has problems
    # of its own is not also a broken link.
    quiz_names: set[str] = field(default_factory=set)
    exercise_names: set[str] = field(default_factory=set)
    # Lessons whose front matter has problems (slug -> the front matter as written).
    broken_lessons: dict[str, dict] = field(default_factory=dict)
    content_hash: str = ""
    # The slug the course is imported under, when not its own (a draft's preview).
    imported_as: str | None = None

    @property
    def slug(self) -> str:
        return self.imported_as or self.manifest.slug


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Return (front matter, body, line number where the body starts)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return "", text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    raise ValueError("front matter opened with --- is never closed")


def _load_lesson(
    path: Path, root: Path, problems: list[Problem], broken: dict
) -> LessonSource | None:
    """The lesson, or None with its problems. A lesson whose front matter names its slug
    but is wrong otherwise goes into `broken` (slug -> front matter as written), so the
    checks across files do not report it again as missing."""
    file = relative(root, path)
    try:
        front, body, body_line = split_front_matter(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        problems.append(Problem(file, None, "file is not UTF-8"))
        return None
    except ValueError as exc:
        problems.append(Problem(file, 1, str(exc)))
        return None
    document = parse_yaml(front, file, problems, first_line=2)
    if document is None:
        return None
    meta = validate(
        LessonFrontMatter,
        {} if document.data is None else document.data,
        file=file,
        sentences=LESSON_SENTENCES,
        problems=problems,
        line_of=lambda loc: document.line(loc) or 1,
    )
    if meta is None:
        raw = document.data if isinstance(document.data, dict) else {}
        if isinstance(raw.get("slug"), str):
            broken[raw["slug"]] = raw
        return None
    return LessonSource(front=meta, body=body, file=file, body_line=body_line, document=document)


def _load_quiz(path: Path, root: Path, problems: list[Problem]) -> QuizSource | None:
    file = relative(root, path)
    document = load_yaml(path, file, problems)
    if document is None:
        return None
    quiz = validate(
        QuizFileModel,
        document.data,
        file=file,
        sentences=QUIZ_SENTENCES,
        problems=problems,
        line_of=lambda loc: document.line(loc) or 1,
        hidden=QUESTION_TAGS,
        context={"stem": path.stem},
    )
    return None if quiz is None else QuizSource(quiz=quiz, file=file, document=document)


def _load_glossary(root: Path, problems: list[Problem]) -> list[GlossaryEntry]:
    path = root / "glossary.yaml"
    if not path.exists():
        return []
    document = load_yaml(path, "glossary.yaml", problems)
    if document is None:
        return []
    glossary = validate(
        Glossary,
        {"entries": document.data},
        file="glossary.yaml",
        sentences=GLOSSARY_SENTENCES,
        problems=problems,
        line_of=lambda loc: document.line(loc[1:]),
    )
    return list(glossary.entries) if glossary else []


def _load_lessons(root: Path, manifest: CourseManifest, problems: list[Problem], broken: dict):
    """The lessons in study-path order, and every lesson file read (by slug), in the
    path or not."""
    by_slug: dict[str, LessonSource] = {}
    for path in sorted((root / "lessons").glob("*.md")):
        lesson = _load_lesson(path, root, problems, broken)
        if lesson is None:
            continue
        if lesson.slug in by_slug:
            problems.append(Problem(lesson.file, 1, f"duplicate lesson slug {lesson.slug!r}"))
        by_slug[lesson.slug] = lesson
    ordered = []
    for lesson_slug in manifest.lessons:
        if lesson_slug in broken:
            continue  # its own problems are reported
        if lesson_slug not in by_slug:
            problems.append(
                Problem("course.yaml", None, f"study path names unknown lesson {lesson_slug!r}")
            )
        else:
            ordered.append(by_slug[lesson_slug])
    for extra in sorted(set(by_slug) - set(manifest.lessons)):
        problems.append(
            Problem(by_slug[extra].file, 1, "lesson is not in the study path of course.yaml")
        )
    return ordered, by_slug


def load_course_dir(root: Path) -> tuple[CourseSource | None, list[Problem]]:
    root = Path(root)
    problems: list[Problem] = []
    if not root.is_dir():
        return None, [Problem(str(root), None, "not a directory")]
    document = load_yaml(root / "course.yaml", "course.yaml", problems)
    if document is None:
        return None, problems
    manifest = validate(
        CourseManifest,
        document.data,
        file="course.yaml",
        sentences=COURSE_SENTENCES,
        problems=problems,
        line_of=document.line,
    )
    if manifest is None:
        return None, problems
    course = CourseSource(root=root, manifest=manifest)
    broken = course.broken_lessons
    course.lessons, every_lesson = _load_lessons(root, manifest, problems, broken)
    course.glossary = _load_glossary(root, problems)
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
            exercise, found = read_exercise(directory, root=root)
            problems.extend(found)
            if exercise is not None:
                course.exercises[exercise.meta.slug] = exercise
    if broken:
        # A lesson with problems of its own: what it names cannot be checked against it,
        # so nothing that depends on it is reported until it is fixed.
        return course, problems
    problems.extend(_cross_reference_problems(course, every_lesson))
    course.content_hash = fingerprint(root)
    return course, problems


def _cross_reference_problems(course: CourseSource, lessons: dict) -> list[Problem]:
    """Lessons name quizzes and exercises, exercises name lessons: each name must exist.

    ``lessons`` holds every lesson file read, in the study path or not, so a lesson left
    out of course.yaml is reported once, for that, and not again for its references.
    """
    problems = []
    quiz_owner: dict[str, str] = {}
    for lesson in course.lessons:
        problems.extend(_lesson_quiz_problems(course, lesson, quiz_owner))
        problems.extend(_lesson_exercise_problems(course, lesson))
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
        wanted = exercise.meta.lesson
        if wanted and wanted not in lessons:
            message = f"lesson {wanted!r} does not exist"
            problems.append(Problem(f"{exercise.folder}/exercise.yaml", None, message))
    return problems


def _lesson_quiz_problems(course: CourseSource, lesson: LessonSource, owner: dict) -> list:
    quiz = lesson.front.quiz
    if not quiz:
        return []
    line = lesson.line("quiz")
    problems = []
    if quiz not in course.quiz_names:
        message = f"quiz {quiz!r} does not exist (no quizzes/{quiz}.yaml)"
        problems.append(Problem(lesson.file, line, message))
    elif quiz in owner:
        message = f"quiz {quiz!r} is already the checkpoint of lesson {owner[quiz]!r}"
        problems.append(Problem(lesson.file, line, message))
    owner.setdefault(quiz, lesson.slug)
    return problems


def _lesson_exercise_problems(course: CourseSource, lesson: LessonSource) -> list:
    problems = []
    line = lesson.line("exercises")
    for slug in lesson.front.exercises:
        if slug not in course.exercise_names:
            message = f"exercise {slug!r} does not exist (no exercises/{slug}/)"
            problems.append(Problem(lesson.file, line, message))
            continue
        exercise = course.exercises.get(slug)
        if exercise and exercise.meta.lesson and exercise.meta.lesson != lesson.slug:
            problems.append(
                Problem(
                    lesson.file,
                    line,
                    f"lists exercise {slug!r}, whose exercise.yaml says lesson "
                    f"{exercise.meta.lesson!r}",
                )
            )
    return problems
