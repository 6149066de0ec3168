"""Checkpoint quizzes: the file format's rules, per-student numbers, and grading.

This module knows nothing of Django. ``parse_quiz`` checks one quiz file's data and
reports every problem through a callback (with the YAML line it belongs to);
``grade_answer`` grades one answer against a question's checked spec; ``draw_values``
gives the numbers a student sees in a parameterized question. ``Question`` and ``Quiz``
in models.py are the public face of these rules.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from .expressions import RESERVED, Expression, ExpressionError

KINDS = ("single", "multiple", "numeric", "ordering", "param_numeric")
COMMON_FIELDS = {"id", "kind", "prompt", "explanation"}
KIND_FIELDS = {
    "single": {"choices"},
    "multiple": {"choices"},
    "numeric": {"answer", "tolerance"},
    "ordering": {"items"},
    "param_numeric": {"params", "answer", "tolerance"},
}
QUIZ_FIELDS = {"slug", "title", "pass_threshold", "questions"}
CHOICE_FIELDS = {"text", "correct", "explanation"}
DEFAULT_PASS_THRESHOLD = 0.8
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Answer expressions are checked on this many draws at import, so a division by zero or
# a log of a negative number that only some students would hit is caught up front.
VALIDATION_DRAWS = 40

Report = Callable[[tuple, str], None]  # (path inside the YAML document, message)


@dataclass
class QuestionSource:
    slug: str
    kind: str
    prompt: str
    explanation: str
    spec: dict
    path: tuple


@dataclass
class QuizSource:
    slug: str
    title: str
    pass_threshold: float
    questions: list[QuestionSource] = field(default_factory=list)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _text(data: dict, key: str, path: tuple, report: Report, required: bool = True) -> str:
    value = data.get(key)
    if value is None:
        if required:
            report(path, f"missing required field {key!r}")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        report(path + (key,), f"field {key!r} must be non-empty text")
        return ""
    return value


def _unknown_fields(data: dict, allowed: set, what: str, path: tuple, report: Report) -> None:
    for key in data:
        if key not in allowed:
            report(path + (key,), f"unknown field {key!r} for {what}")


def parse_quiz(data, stem: str, report: Report) -> QuizSource | None:
    """Check one quiz document; None when it is too broken to say more about."""
    if not isinstance(data, dict):
        report((), "a quiz file must be a mapping with slug, title and questions")
        return None
    _unknown_fields(data, QUIZ_FIELDS, "a quiz", (), report)
    slug = _text(data, "slug", (), report)
    if slug and not SLUG.match(slug):
        report(("slug",), f"quiz slug {slug!r} must be a slug (a-z, 0-9, dashes)")
    elif slug and slug != stem:
        report(("slug",), f"slug {slug!r} must match the file name ({stem}.yaml)")
    title = _text(data, "title", (), report)
    threshold = data.get("pass_threshold", DEFAULT_PASS_THRESHOLD)
    if not _is_number(threshold) or not 0 < threshold <= 1:
        report(("pass_threshold",), "pass_threshold must be a number above 0 and at most 1")
        threshold = DEFAULT_PASS_THRESHOLD
    quiz = QuizSource(slug=slug or stem, title=title, pass_threshold=float(threshold))
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        report(("questions",), "a quiz needs a non-empty list of questions")
        return quiz
    seen: set[str] = set()
    for index, item in enumerate(questions):
        question = parse_question(item, ("questions", index), report)
        if question is None:
            continue
        if question.slug in seen:
            report(question.path + ("id",), f"duplicate question id {question.slug!r}")
        seen.add(question.slug)
        quiz.questions.append(question)
    return quiz


def parse_question(item, path: tuple, report: Report) -> QuestionSource | None:
    if not isinstance(item, dict):
        report(path, "a question must be a mapping")
        return None
    counted = _CountingReport(report)
    slug = _text(item, "id", path, counted)
    if slug and not SLUG.match(slug):
        counted(path + ("id",), f"question id {slug!r} must be a slug (a-z, 0-9, dashes)")
    kind = item.get("kind")
    if kind not in KINDS:
        counted(
            path + ("kind",),
            f"unknown question kind {kind!r} (expected one of: {', '.join(KINDS)})",
        )
        return None
    _unknown_fields(item, COMMON_FIELDS | KIND_FIELDS[kind], f"a {kind} question", path, counted)
    prompt = _text(item, "prompt", path, counted)
    explanation = _text(item, "explanation", path, counted, required=False)
    spec = {
        "single": _choices_spec,
        "multiple": _choices_spec,
        "numeric": _numeric_spec,
        "ordering": _ordering_spec,
        "param_numeric": _param_spec,
    }[kind](item, kind, path, counted)
    if counted.count or spec is None:
        return None
    if kind == "param_numeric" and not set(PLACEHOLDER.findall(prompt)) & set(spec["params"]):
        counted(path + ("prompt",), "a param_numeric prompt must show at least one {param}")
        return None
    return QuestionSource(slug, kind, prompt, explanation, spec, path)


class _CountingReport:
    """Wraps a report callback to tell whether a question added any problem."""

    def __init__(self, report: Report):
        self.report = report
        self.count = 0

    def __call__(self, path: tuple, message: str) -> None:
        self.count += 1
        self.report(path, message)


def _choices_spec(item: dict, kind: str, path: tuple, report: Report) -> dict | None:
    choices = item.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        report(path + ("choices",), f"a {kind} question needs a list of at least 2 choices")
        return None
    checked = []
    for index, choice in enumerate(choices):
        where = path + ("choices", index)
        if not isinstance(choice, dict):
            report(where, "a choice must be a mapping with text and explanation")
            continue
        _unknown_fields(choice, CHOICE_FIELDS, "a choice", where, report)
        correct = choice.get("correct", False)
        if not isinstance(correct, bool):
            report(where + ("correct",), "correct must be true or false")
        checked.append(
            {
                "text": _text(choice, "text", where, report),
                "correct": correct is True,
                "explanation": _text(choice, "explanation", where, report),
            }
        )
    right = sum(choice["correct"] for choice in checked)
    if kind == "single" and right != 1:
        report(
            path + ("choices",),
            f"a single-choice question needs exactly one correct choice, not {right}",
        )
    if kind == "multiple" and right < 1:
        report(path + ("choices",), "a multiple-select question needs at least one correct choice")
    texts = [c["text"] for c in checked]
    if len(set(texts)) != len(texts):
        report(path + ("choices",), "two choices have the same text")
    return {"choices": checked}


def _tolerance(item: dict, path: tuple, report: Report) -> dict | None:
    tolerance = item.get("tolerance")
    where = path + ("tolerance",)
    if tolerance is None:
        report(path, "missing required field 'tolerance' ({abs: x} or {rel: x})")
        return None
    if not isinstance(tolerance, dict) or len(tolerance) != 1 or set(tolerance) - {"abs", "rel"}:
        report(where, "tolerance must be exactly one of {abs: x} or {rel: x}")
        return None
    ((kind, value),) = tolerance.items()
    if not _is_number(value) or value < 0:
        report(where, f"tolerance {kind} must be a number of at least 0")
        return None
    return {kind: float(value)}


def _numeric_spec(item: dict, kind: str, path: tuple, report: Report) -> dict | None:
    answer = item.get("answer")
    if answer is None:
        report(path, "missing required field 'answer'")
    elif not _is_number(answer):
        report(path + ("answer",), "the answer of a numeric question must be a number")
        answer = None
    tolerance = _tolerance(item, path, report)
    if answer is None or tolerance is None:
        return None
    return {"answer": float(answer), "tolerance": tolerance}


def _ordering_spec(item: dict, kind: str, path: tuple, report: Report) -> dict | None:
    items = item.get("items")
    if not isinstance(items, list) or len(items) < 2:
        report(path + ("items",), "an ordering question needs a list of at least 2 items")
        return None
    if not all(isinstance(text, str) and text.strip() for text in items):
        report(path + ("items",), "every item must be non-empty text")
        return None
    if len(set(items)) != len(items):
        report(path + ("items",), "two items have the same text")
        return None
    return {"items": list(items)}


def _decimals(number: float) -> int:
    exponent = Decimal(str(number)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _param_range(name: str, rule, where: tuple, report: Report) -> dict | None:
    if not isinstance(rule, dict):
        report(where, f"param {name!r} must be {{choices: [...]}} or {{min:, max:, step:}}")
        return None
    if "choices" in rule:
        if set(rule) != {"choices"}:
            report(where, f"param {name!r} mixes choices with {sorted(set(rule) - {'choices'})}")
            return None
        choices = rule["choices"]
        if not isinstance(choices, list) or not choices:
            report(where, f"param {name!r} has an empty list of choices")
            return None
        if not all(_is_number(value) for value in choices):
            report(where, f"every choice of param {name!r} must be a number")
            return None
        return {"choices": list(choices)}
    if set(rule) != {"min", "max", "step"}:
        report(where, f"param {name!r} needs min, max and step (or choices), got {sorted(rule)}")
        return None
    low, high, step = rule["min"], rule["max"], rule["step"]
    if not all(_is_number(value) for value in (low, high, step)):
        report(where, f"min, max and step of param {name!r} must be numbers")
        return None
    if step <= 0:
        report(where, f"param {name!r} has step {step}; it must be above 0")
        return None
    if high < low:
        report(where, f"param {name!r} has an empty range: max {high} is below min {low}")
        return None
    return {"min": low, "max": high, "step": step}


def _param_spec(item: dict, kind: str, path: tuple, report: Report) -> dict | None:
    params = item.get("params")
    if not isinstance(params, dict) or not params:
        report(path + ("params",), "a param_numeric question needs a mapping of params")
        return None
    checked = {}
    for name, rule in params.items():
        where = path + ("params", name)
        if not isinstance(name, str) or not name.isidentifier():
            report(where, f"param name {name!r} must be an identifier")
            continue
        if name in RESERVED:
            report(where, f"param name {name!r} is reserved (a function, a constant or 'answer')")
            continue
        rule = _param_range(name, rule, where, report)
        if rule is not None:
            checked[name] = rule
    tolerance = _tolerance(item, path, report)
    source = item.get("answer")
    if source is None:
        report(path, "missing required field 'answer'")
        return None
    if not isinstance(source, str):
        report(path + ("answer",), "the answer of a param_numeric question must be an expression")
        return None
    if len(checked) != len(params) or tolerance is None:
        return None
    try:
        expression = Expression(source, checked)
    except ExpressionError as exc:
        report(path + ("answer",), f"answer expression {source!r}: {exc}")
        return None
    spec = {"params": checked, "answer": source, "tolerance": tolerance}
    for draw in range(VALIDATION_DRAWS):
        values = draw_values(spec, f"validate:{draw}")
        try:
            expression.evaluate(values)
        except ExpressionError as exc:
            shown = ", ".join(f"{k}={format_number(v)}" for k, v in values.items())
            report(path + ("answer",), f"answer expression {source!r} with {shown}: {exc}")
            return None
    return spec


# Drawing numbers -------------------------------------------------------------------


def _rng(key: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big"))


def draw_values(spec: dict, key: str) -> dict[str, int | float]:
    """The numbers for one student: the same key always gives the same numbers.

    Each param gets its own generator (seeded from the key and its name), so the values
    do not depend on the order the params are stored in, and adding a param leaves the
    others' values alone.
    """
    values: dict[str, int | float] = {}
    for name in sorted(spec["params"]):
        rule = spec["params"][name]
        rng = _rng(f"{key}:{name}")
        if "choices" in rule:
            values[name] = rng.choice(rule["choices"])
            continue
        low, high, step = rule["min"], rule["max"], rule["step"]
        count = math.floor((high - low) / step + 1e-9) + 1
        value = low + rng.randrange(count) * step
        if all(isinstance(v, int) for v in (low, high, step)):
            values[name] = int(value)
        else:
            values[name] = round(value, max(_decimals(low), _decimals(step)))
    return values


def format_number(value: float) -> str:
    """Short, plain decimal text for a number shown to a student (no 1e-05 forms)."""
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e15):
        return str(int(value))
    text = f"{value:.6g}"
    if "e" in text:
        digits = max(0, 5 - math.floor(math.log10(abs(value))))
        text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text


def fill_placeholders(text: str, values: dict) -> str:
    """Replace ``{name}`` for the drawn params (and ``{answer}``); leave other braces,
    such as TeX groups, alone."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        return format_number(values[name]) if name in values else match.group(0)

    return PLACEHOLDER.sub(replace, text)


# Grading -----------------------------------------------------------------------------


@dataclass
class Feedback:
    message: str
    explanation: str = ""  # Markdown, placeholders already filled
    expected: str | list | None = None
    choices: list[dict] = field(default_factory=list)  # per choice: selected, correct, why


def _as_index(value, count: int) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 0 <= value < count:
        return value
    return None


def _as_number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def within_tolerance(given: float, expected: float, tolerance: dict) -> bool:
    # The slack absorbs float error at the boundary (1.92 + 0.001 is not exactly 1.921),
    # so a tolerance reads as inclusive, the way an instructor means it.
    slack = 1e-12 * max(1.0, abs(expected))
    miss = abs(given - expected)
    if "abs" in tolerance:
        return miss <= tolerance["abs"] + slack
    return miss <= tolerance["rel"] * abs(expected) + slack


def grade_choices(spec: dict, kind: str, answer) -> tuple[bool, Feedback]:
    choices = spec["choices"]
    raw = [answer] if kind == "single" else answer
    if not isinstance(raw, list | tuple | set | frozenset):
        return False, Feedback("Select one or more choices.")
    picked = [_as_index(value, len(choices)) for value in raw]
    if None in picked or (kind == "single" and len(picked) != 1):
        return False, Feedback("That is not one of the choices.")
    selected = set(picked)
    right = {i for i, choice in enumerate(choices) if choice["correct"]}
    correct = selected == right
    details = [
        {
            "index": i,
            "selected": i in selected,
            "correct": choice["correct"],
            "explanation": choice["explanation"],
        }
        for i, choice in enumerate(choices)
    ]
    if correct:
        message = "Correct."
    elif kind == "multiple" and selected & right:
        message = "Not quite: the correct choices are not exactly the ones you selected."
    else:
        message = "Not quite."
    return correct, Feedback(message, expected=sorted(right), choices=details)


def grade_number(expected: float, tolerance: dict, answer, explanation: str):
    given = _as_number(answer)
    if given is None:
        return False, Feedback("Give a number, such as 0.25.", explanation, format_number(expected))
    correct = within_tolerance(given, expected, tolerance)
    message = "Correct." if correct else f"Not quite: the answer is {format_number(expected)}."
    return correct, Feedback(message, explanation, format_number(expected))


def grade_ordering(spec: dict, answer, explanation: str) -> tuple[bool, Feedback]:
    items = spec["items"]
    if not isinstance(answer, list | tuple):
        return False, Feedback("Put every item in order.", explanation, items)
    order = [_as_index(value, len(items)) for value in answer]
    if None in order or sorted(order) != list(range(len(items))):
        return False, Feedback("Put every item in order, each once.", explanation, items)
    correct = order == list(range(len(items)))
    return correct, Feedback("Correct." if correct else "Not quite.", explanation, items)
