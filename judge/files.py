"""Reading course files with every problem located at a file and a line.

The file formats are pydantic models (`judge.schema` for an exercise, `courses.schema` for
the rest). This module turns what they reject into `Problem`s an author can act on:

- ``load_yaml`` reads a YAML document and maps each path inside it (``("mistakes", 1,
  "hint")``) to the line it starts on, so a problem points at the key the author looks for;
- ``schema_problems`` words pydantic's errors: a validator raises ``fault(kind)`` (or a
  standard error such as ``missing`` or ``extra_forbidden`` happens), and a table of the
  file's own sentences, keyed by the error's kind and the shape of its location, says it;
  ``fault("descent", message)`` carries a finished sentence;
- ``python_problems`` reports syntax errors with their line and a missing top-level name.

Django-free, like the rest of `judge`.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

# A location pattern element: a field name, or ANY for whatever stands there (a list
# index, a mapping key, a field name).
ANY = "*"
SENTENCE = "descent"
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


def fault(kind: str, detail: str = "", *, at: Sequence[str | int] = ()) -> PydanticCustomError:
    """An error for a validator to raise. ``kind`` is looked up in the file's sentences,
    which may show ``detail`` as {detail}; for kind ``SENTENCE``, ``detail`` is the whole
    message. ``at`` names the part of the validated value the problem is about (a model
    validator pointing at one of its fields)."""
    message = detail if kind == SENTENCE else f"{kind} {detail}".strip()
    return PydanticCustomError(kind, message, {"at": tuple(at), "detail": detail})


@dataclass
class YamlDocument:
    data: Any
    lines: dict[tuple, int]

    def line(self, path: Sequence) -> int | None:
        path = tuple(path)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path)


def relative(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def yaml_problem(exc: yaml.YAMLError, file: str, offset: int = 0) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 + offset if mark else None
    return Problem(file, line, f"bad YAML: {getattr(exc, 'problem', None) or exc}")


def load_yaml(path: Path, file: str, problems: list[Problem]) -> YamlDocument | None:
    """The document with its line map; None (and a problem) when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem(file, None, "file is missing"))
    except UnicodeDecodeError:
        problems.append(Problem(file, None, "file is not UTF-8"))
    else:
        return parse_yaml(text, file, problems)
    return None


def parse_yaml(
    text: str, file: str, problems: list[Problem], first_line: int = 1
) -> YamlDocument | None:
    """``text`` as a document whose first line is line ``first_line`` of ``file`` (a
    lesson's front matter starts on line 2)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problems.append(yaml_problem(exc, file, first_line - 1))
        return None
    lines: dict[tuple, int] = {}
    if node is not None:
        _map_lines(node, (), lines, first_line)
    return YamlDocument(data, lines)


def _map_lines(node, path: tuple, lines: dict, first_line: int) -> None:
    lines.setdefault(path, node.start_mark.line + first_line)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            # A field's problem points at its key's line, where the author looks for it.
            child = path + (key.value,)
            lines[child] = key.start_mark.line + first_line
            _map_lines(value, child, lines, first_line)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _map_lines(item, path + (index,), lines, first_line)


Sentences = Mapping[tuple[str, tuple], str]


def validate(
    model: type[M],
    data: Any,
    *,
    file: str,
    sentences: Sentences,
    problems: list[Problem],
    line_of=lambda loc: None,
    hidden: frozenset[str] = frozenset(),
    context: dict | None = None,
) -> M | None:
    """``model`` validated from ``data``, or None with every problem added to `problems`."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        problems.extend(schema_problems(exc, file, sentences, line_of, hidden))
        return None


def schema_problems(
    error: ValidationError, file: str, sentences: Sentences, line_of, hidden=frozenset()
) -> list[Problem]:
    """One located problem per pydantic error. ``hidden`` are location parts pydantic adds
    that are not in the file (the tags of a union's members): sentences may match and
    show them, lines are looked up without them."""
    problems = []
    for detail in error.errors(include_url=False):
        context = detail.get("ctx") or {}
        loc = tuple(detail["loc"]) + tuple(context.get("at", ()))
        message = _sentence(detail, loc, sentences)
        if detail["type"] == "missing":
            # A missing field has no line of its own: its mapping's is where it belongs.
            loc = loc[:-1]
        in_file = tuple(part for part in loc if part not in hidden)
        problems.append(Problem(file, line_of(in_file), message))
    return _unique(problems)


def _sentence(detail: Mapping[str, Any], loc: tuple, sentences: Sentences) -> str:
    kind = detail["type"]
    if kind == SENTENCE:
        return detail["msg"]
    for (rule_kind, pattern), template in sentences.items():
        if rule_kind == kind and _matches(pattern, loc):
            context = detail.get("ctx") or {}
            return _fill(template, loc, detail.get("input"), context.get("detail", ""))
    # Not foreseen by the file's sentences: pydantic's own words, with where.
    where = ".".join(str(part) for part in loc)
    return f"{where}: {detail['msg']}" if where else detail["msg"]


def _matches(pattern: tuple, loc: tuple) -> bool:
    return len(pattern) == len(loc) and all(
        p in (ANY, part) for p, part in zip(pattern, loc, strict=True)
    )


def _fill(template: str, loc: tuple, value: Any, detail: str) -> str:
    numbers = [part for part in loc if isinstance(part, int)]
    return template.format(
        field=loc[-1] if loc else "",
        number=numbers[-1] + 1 if numbers else "",
        value=value,
        parent=loc[-2] if len(loc) > 1 else "",
        detail=detail,
    )


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            out.append(problem)
    return out


def top_level_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def python_problems(path: Path, file: str, defines: str | None) -> list[Problem]:
    """Syntax errors with their line, and whether the module defines ``defines``."""
    try:
        tree = ast.parse(path.read_bytes(), filename=file)
    except SyntaxError as exc:
        return [Problem(file, exc.lineno, f"syntax error: {exc.msg}")]
    except ValueError as exc:  # NUL bytes
        return [Problem(file, None, f"cannot be parsed: {exc}")]
    if defines is None or defines in top_level_names(tree):
        return []
    return [Problem(file, 1, f"does not define {defines!r} at the top level")]
