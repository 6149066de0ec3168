"""Checkpoint quizzes: per-student numbers and grading.

This module knows nothing of Django. The file format's rules are the quiz models of
``courses.importing.schema``, which also give each question's checked spec;
``grade_choices``, ``grade_number`` and ``grade_ordering`` grade one answer against such a
spec; ``draw_values`` gives the numbers a student sees in a parameterized question, and
``shuffled_order`` the order an attempt shows choices and ordering items in.
``Question`` and ``Quiz`` in models.py are the public face of these rules.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _decimals(number: float) -> int:
    exponent = Decimal(str(number)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


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


def shuffled_order(count: int, key: str) -> list[int]:
    """``range(count)`` in an order drawn from ``key``: the same key always gives the same
    order, so an attempt's page and its review agree without the order being stored."""
    order = list(range(count))
    _rng(key).shuffle(order)
    return order


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
