"""An exercise folder, read once for everyone who needs it.

``read_exercise`` validates a folder without running any of it (`judge.schema` for
``exercise.yaml``, syntax and top-level names for the Python files, the known mistakes'
files) and returns what a page may show: the importer uses it. ``load_exercise`` does the
same and then imports the trusted code, the reference solution, the checks and the
known-mistake variants, into this process (never into the sandbox), under private module
names so two courses or two versions never collide in ``sys.modules``: the grader uses it.
"""

from __future__ import annotations

import importlib.util
import inspect
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType

from .files import Problem, load_yaml, python_problems, relative, validate
from .fingerprint import fingerprint
from .schema import EXERCISE_SENTENCES, ExerciseMeta
from .signature import Signature

EXERCISE_FILES = ("exercise.yaml", "statement.md", "starter.py", "reference.py", "checks.py")
# The grading-quality corpus (tests/correct, tests/wrong) is not what grading reads.
NOT_GRADED = ("tests",)


class ExerciseInvalid(Exception):
    """The exercise's files cannot be graded: an authoring problem, never a student's."""

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("", None, problems)]
        self.problems = problems
        super().__init__("; ".join(str(p) if p.file else p.message for p in problems))


@dataclass(frozen=True)
class ExerciseFiles:
    """A validated exercise folder, nothing imported."""

    directory: Path
    folder: str  # as problems name it: relative to the course root when there is one
    meta: ExerciseMeta
    statement: str
    starter: str
    reference_source: str
    fingerprint: str


def read_exercise(
    directory: Path, *, root: Path | None = None
) -> tuple[ExerciseFiles | None, list[Problem]]:
    """The folder's files, or None with every problem found (each at its file and line)."""
    directory = Path(directory)
    folder = relative(root, directory) if root is not None else directory.name
    problems: list[Problem] = []
    for name in EXERCISE_FILES:
        if not (directory / name).is_file():
            problems.append(Problem(f"{folder}/{name}", None, "file is missing"))
    yaml_file = f"{folder}/exercise.yaml"
    document = None
    if (directory / "exercise.yaml").is_file():
        document = load_yaml(directory / "exercise.yaml", yaml_file, problems)
    meta = None
    if document is not None:
        meta = validate(
            ExerciseMeta,
            document.data,
            file=yaml_file,
            sentences=EXERCISE_SENTENCES,
            problems=problems,
            line_of=document.line,
            context={"folder": directory.name},
        )
    if meta is not None and document is not None:
        for index, mistake in enumerate(meta.mistakes):
            line = document.line(("mistakes", index, "file"))
            problems.extend(_mistake_problems(directory, folder, mistake.file, meta.entry, line))
        for index, accepted in enumerate(meta.accepts):
            line = document.line(("accepts", index, "file"))
            problems.extend(
                _mistake_problems(directory, folder, accepted.file, meta.entry, line, "convention")
            )
    entry = meta.entry if meta is not None else None
    for name, defines in (("reference.py", entry), ("starter.py", entry), ("checks.py", "CHECKS")):
        if (directory / name).is_file():
            problems.extend(python_problems(directory / name, f"{folder}/{name}", defines))
    texts = {}
    for name in ("statement.md", "starter.py", "reference.py"):
        try:
            texts[name] = (directory / name).read_text(encoding="utf-8")
        except FileNotFoundError:
            texts[name] = ""
        except UnicodeDecodeError:
            problems.append(Problem(f"{folder}/{name}", None, "file is not UTF-8"))
    if problems or meta is None:
        return None, problems
    return (
        ExerciseFiles(
            directory=directory,
            folder=folder,
            meta=meta,
            statement=texts["statement.md"],
            starter=texts["starter.py"],
            reference_source=texts["reference.py"],
            fingerprint=fingerprint(directory, skip=NOT_GRADED),
        ),
        [],
    )


def _mistake_problems(
    directory: Path, folder: str, name: str, entry: str, line: int | None, what: str = "mistake"
) -> list[Problem]:
    yaml_file = f"{folder}/exercise.yaml"
    path = (directory / name).resolve()
    if directory.resolve() not in path.parents:
        return [Problem(yaml_file, line, f"{what} file {name} is outside the exercise folder")]
    if not path.is_file():
        return [Problem(yaml_file, line, f"{what} file {name} does not exist")]
    return python_problems(path, f"{folder}/{name}", entry)


@dataclass(frozen=True)
class KnownMistake:
    slug: str
    title: str
    hint: str
    module: ModuleType = field(compare=False, repr=False)


@dataclass(frozen=True)
class AcceptedConvention:
    title: str
    module: ModuleType = field(compare=False, repr=False)


@dataclass
class ExerciseSpec:
    """An exercise ready to grade: its files and its trusted code, imported."""

    files: ExerciseFiles
    reference: ModuleType = field(repr=False)
    checks: list = field(repr=False)
    mistakes: list[KnownMistake] = field(repr=False)
    accepted: list[AcceptedConvention] = field(default_factory=list, repr=False)

    @property
    def meta(self) -> ExerciseMeta:
        return self.files.meta

    @property
    def slug(self) -> str:
        return self.meta.slug

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def entry(self) -> str:
        return self.meta.entry

    @property
    def kind(self) -> str:
        return self.meta.kind

    @property
    def signature(self) -> str:
        return self.meta.signature

    @property
    def interface(self) -> Signature:
        return self.meta.interface

    @property
    def points(self) -> float:
        return self.meta.points

    @property
    def time_s(self) -> float:
        return self.meta.time_s

    @property
    def memory_mb(self) -> int:
        return self.meta.memory_mb

    @property
    def hints(self) -> list[str]:
        return list(self.meta.hints)

    @property
    def convention(self) -> str:
        return self.meta.convention

    @property
    def directory(self) -> Path:
        return self.files.directory

    @cached_property
    def entry_defaults(self) -> dict:
        """The reference entry's default values by parameter name (a diagnosis tells
        "beta left at its default" from the value passed); read once per loaded spec."""
        if self.interface.kind != "function":
            return {}
        try:
            parameters = inspect.signature(getattr(self.reference, self.entry)).parameters
        except (AttributeError, TypeError, ValueError):
            return {}
        return {
            name: p.default
            for name, p in parameters.items()
            if p.default is not inspect.Parameter.empty
        }

    @property
    def statement(self) -> str:
        return self.files.statement

    @property
    def starter(self) -> str:
        return self.files.starter

    @property
    def reference_source(self) -> str:
        return self.files.reference_source

    @property
    def fingerprint(self) -> str:
        return self.files.fingerprint

    @property
    def checks_version(self) -> str:
        return self.fingerprint[:12]

    def mistake_hints(self) -> dict[str, str]:
        return {mistake.slug: mistake.hint for mistake in self.mistakes}


def _import(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ExerciseInvalid(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:
        # An author's module that exits must not take the grading process down with it.
        raise ExerciseInvalid(f"{path.name} failed to import: {type(exc).__name__}: {exc}") from exc
    return module


def load_exercise(directory: Path, *, root: Path | None = None) -> ExerciseSpec:
    """Read, validate and import one exercise; ExerciseInvalid names every problem."""
    files, problems = read_exercise(directory, root=root)
    if files is None:
        raise ExerciseInvalid(problems)
    meta = files.meta
    prefix = f"descent_exercise_{meta.slug.replace('-', '_')}_{files.fingerprint[:10]}"
    mistakes = [
        KnownMistake(
            mistake.slug,
            mistake.title,
            mistake.hint,
            _import(files.directory / mistake.file, f"{prefix}_mistake_{index}"),
        )
        for index, mistake in enumerate(meta.mistakes)
    ]
    accepted = [
        AcceptedConvention(
            convention.title,
            _import(files.directory / convention.file, f"{prefix}_convention_{index}"),
        )
        for index, convention in enumerate(meta.accepts)
    ]
    checks = getattr(_import(files.directory / "checks.py", f"{prefix}_checks"), "CHECKS", None)
    if not isinstance(checks, list) or not checks:
        raise ExerciseInvalid(f"{files.folder}/checks.py must define a non-empty CHECKS list")
    reference = _import(files.directory / "reference.py", f"{prefix}_reference")
    if not callable(getattr(reference, meta.entry, None)):
        raise ExerciseInvalid(f"{files.folder}/reference.py does not define {meta.entry}")
    return ExerciseSpec(
        files=files, reference=reference, checks=checks, mistakes=mistakes, accepted=accepted
    )


_cache: dict[tuple, ExerciseSpec] = {}
_cache_lock = threading.Lock()


def exercise_from_course(course_dir: Path, slug: str) -> ExerciseSpec:
    """Load (and cache until any of its files changes) one exercise of a course."""
    root = Path(course_dir)
    directory = root / "exercises" / slug
    if not directory.is_dir():
        raise ExerciseInvalid(f"no exercise {slug!r} in {course_dir}")
    # Keyed on the files' modification times: a stat per file, not a read, per grading.
    stamps = tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(directory.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    )
    key = (str(directory.resolve()), stamps)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = load_exercise(directory, root=root)
        return _cache[key]


def exercise_slugs(course_dir: Path) -> list[str]:
    folder = Path(course_dir) / "exercises"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / "exercise.yaml").is_file())
