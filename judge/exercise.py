"""Exercises as the grader sees them, loaded straight from a course directory.

The reference solution, the checks and the known-mistake variants are trusted
instructor code: they are imported into the worker (never into the sandbox) under
private module names, so two courses or two versions never collide in ``sys.modules``.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import yaml


class ExerciseInvalid(Exception):
    pass


@dataclass(frozen=True)
class KnownMistake:
    slug: str
    title: str
    hint: str
    module: ModuleType = field(compare=False, repr=False)


@dataclass
class Parameter:
    name: str
    has_default: bool


@dataclass
class ExerciseSpec:
    slug: str
    title: str
    lesson: str
    entry: str
    kind: str  # "function" | "class"
    signature: str
    parameters: list[Parameter]
    points: float
    time_s: float
    memory_mb: int
    hints: list[str]
    directory: Path
    statement: str
    starter: str
    reference_source: str
    reference: ModuleType = field(repr=False)
    checks: list = field(repr=False)
    mistakes: list[KnownMistake] = field(repr=False)
    fingerprint: str = ""

    @property
    def checks_version(self) -> str:
        return self.fingerprint[:12]


def parse_signature(signature: str, entry: str) -> list[Parameter]:
    """Parameters of ``name(a, b=1) -> T`` (or ``class Name``: none to check)."""
    text = signature.strip()
    if text.startswith("class "):
        return []
    head = text.split("->", 1)[0].strip()
    try:
        tree = ast.parse(f"def {head}: pass")
    except SyntaxError as exc:
        raise ExerciseInvalid(f"signature {signature!r} does not parse: {exc.msg}") from None
    fn = tree.body[0]
    if fn.name != entry:
        raise ExerciseInvalid(f"signature names {fn.name!r} but entry is {entry!r}")
    positional = fn.args.args
    defaults_from = len(positional) - len(fn.args.defaults)
    return [Parameter(arg.arg, index >= defaults_from) for index, arg in enumerate(positional)]


def _import(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ExerciseInvalid(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise ExerciseInvalid(f"{path.name} failed to import: {type(exc).__name__}: {exc}") from exc
    return module


def _fingerprint(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if (
            path.is_file()
            and "__pycache__" not in path.parts
            and "tests" not in path.relative_to(directory).parts
        ):
            digest.update(str(path.relative_to(directory)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def load_exercise(directory: Path) -> ExerciseSpec:
    directory = Path(directory)
    meta_path = directory / "exercise.yaml"
    try:
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExerciseInvalid(f"{meta_path} is missing") from None
    except yaml.YAMLError as exc:
        raise ExerciseInvalid(f"{meta_path}: bad YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise ExerciseInvalid(f"{meta_path} must be a mapping")
    for key in ("slug", "title", "entry", "signature"):
        if not meta.get(key):
            raise ExerciseInvalid(f"{meta_path}: missing required field {key!r}")
    for required in ("reference.py", "checks.py", "starter.py", "statement.md"):
        if not (directory / required).is_file():
            raise ExerciseInvalid(f"{directory.name}: {required} is missing")
    fingerprint = _fingerprint(directory)
    prefix = f"descent_exercise_{meta['slug'].replace('-', '_')}_{fingerprint[:10]}"
    kind = meta.get("kind", "function")
    limits = meta.get("limits") or {}
    mistakes = []
    for index, item in enumerate(meta.get("mistakes") or []):
        if not isinstance(item, dict) or not item.get("file") or not item.get("hint"):
            raise ExerciseInvalid(f"{meta_path}: mistake {index + 1} needs file and hint")
        path = directory / item["file"]
        if not path.is_file():
            raise ExerciseInvalid(f"{meta_path}: mistake file {item['file']} is missing")
        slug = path.stem
        mistakes.append(
            KnownMistake(
                slug,
                item.get("title", slug),
                item["hint"],
                _import(path, f"{prefix}_mistake_{index}"),
            )
        )
    checks_module = _import(directory / "checks.py", f"{prefix}_checks")
    checks = getattr(checks_module, "CHECKS", None)
    if not isinstance(checks, list) or not checks:
        raise ExerciseInvalid(f"{directory.name}/checks.py must define a non-empty CHECKS list")
    reference = _import(directory / "reference.py", f"{prefix}_reference")
    if not hasattr(reference, meta["entry"]):
        raise ExerciseInvalid(f"{directory.name}/reference.py does not define {meta['entry']}")
    return ExerciseSpec(
        slug=meta["slug"],
        title=meta["title"],
        lesson=meta.get("lesson", ""),
        entry=meta["entry"],
        kind=kind,
        signature=meta["signature"],
        parameters=parse_signature(meta["signature"], meta["entry"]) if kind == "function" else [],
        points=float(meta.get("points", 10)),
        time_s=float(limits.get("time_s", 5)),
        memory_mb=int(limits.get("memory_mb", 256)),
        hints=[str(h) for h in meta.get("hints") or []],
        directory=directory,
        statement=(directory / "statement.md").read_text(encoding="utf-8"),
        starter=(directory / "starter.py").read_text(encoding="utf-8"),
        reference_source=(directory / "reference.py").read_text(encoding="utf-8"),
        reference=reference,
        checks=checks,
        mistakes=mistakes,
        fingerprint=fingerprint,
    )


_cache: dict[tuple[str, str], ExerciseSpec] = {}
_cache_lock = threading.Lock()


def exercise_from_course(course_dir: Path, slug: str) -> ExerciseSpec:
    """Load (and cache until any of its files changes) one exercise of a course."""
    directory = Path(course_dir) / "exercises" / slug
    if not directory.is_dir():
        raise ExerciseInvalid(f"no exercise {slug!r} in {course_dir}")
    # Keyed on the files' modification times: a stat per file, not a read, on every grading.
    stamps = tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(directory.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    )
    key = (str(directory.resolve()), stamps)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = load_exercise(directory)
        return _cache[key]


def exercise_slugs(course_dir: Path) -> list[str]:
    root = Path(course_dir) / "exercises"
    return (
        sorted(p.name for p in root.iterdir() if (p / "exercise.yaml").is_file())
        if root.is_dir()
        else []
    )
