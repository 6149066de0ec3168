"""Structural comparison of a student's output with an expected one.

Returns None when they agree, else a short message that says what differs and where, in
words a student can act on ("shape (3,) instead of (3, 4)", "index (1, 2): 0.5 instead
of 0.25"). Values arrive as plain data (numbers, arrays, tuples, lists, dicts), so no
student-defined __eq__ is ever called here.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from sandbox.codec import FunctionRef
from sandbox.testfns import describe as describe_function


def plain(value):
    """Bring trusted-side values (reference, mistakes) to the types the sandbox sends."""
    if isinstance(value, np.ndarray):
        if value.dtype == np.bool_:
            return value.copy()
        if np.issubdtype(value.dtype, np.integer):
            return value.astype(np.int64)
        return value.astype(np.float64)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def describe_type(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, Real):
        return "a number"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a dict"
    if value is None:
        return "None"
    return f"a {type(value).__name__}"


def _fmt(x: float) -> str:
    return f"{x:.6g}"


# A student's str can be as long as the result cap; a message shows its start.
SHOWN_CHARS = 80


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else f"{text[:SHOWN_CHARS]}... ({len(text)} chars)"


def _float(value) -> float:
    """A number as a float; an int beyond float's range becomes an infinity of its sign
    (float(10**400) raises OverflowError)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _fmt_number(value) -> str:
    if isinstance(value, int) and not math.isfinite(_float(value)):
        digits = int(abs(value).bit_length() * math.log10(2)) + 1
        return f"an integer of about {digits} digits"
    return _fmt(_float(value))


def non_finite(value, path: str = "", depth: int = 0) -> str | None:
    """Where the first NaN or infinity in a plain value is ("inf in item 1"), or None.
    Ints too large for a float count as infinite."""
    if depth > 64:
        return None
    if isinstance(value, np.ndarray):
        if value.dtype.kind != "f":
            return None
        bad = ~np.isfinite(value)
        if not bad.any():
            return None
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        return f"{value[index]}{_where(path)} at index {index}"
    if isinstance(value, Real) and not isinstance(value, bool):
        number = _float(value)
        return None if math.isfinite(number) else f"{number}{_where(path)}"
    if isinstance(value, tuple | list):
        items = list(enumerate(value))
    elif isinstance(value, dict):
        items = list(value.items())
    else:
        return None
    for key, item in items:
        inner = (
            f"{path}[{key!r}]"
            if path
            else (f"item {key}" if isinstance(key, int) else f"[{key!r}]")
        )
        found = non_finite(item, inner, depth + 1)
        if found is not None:
            return found
    return None


def _where(path: str) -> str:
    return f" in {path}" if path else ""


def compare(got, expected, rtol: float = 1e-6, atol: float = 1e-8, path: str = "") -> str | None:
    """None when ``got`` agrees with ``expected`` (within rtol/atol for numbers), else what
    differs and where. ``path`` names where in an enclosing value this one sits."""
    if isinstance(expected, np.ndarray):
        return _compare_array(got, expected, rtol, atol, path)
    if isinstance(expected, bool):
        return None if got is expected else f"{_shown(got)} instead of {expected!r}{_where(path)}"
    if isinstance(expected, Real):
        return _compare_number(got, expected, rtol, atol, path)
    if isinstance(expected, tuple | list):
        return _compare_sequence(got, expected, rtol, atol, path)
    if isinstance(expected, dict):
        return _compare_mapping(got, expected, rtol, atol, path)
    if expected is None:
        return None if got is None else f"expected None{_where(path)}, got {describe_type(got)}"
    if isinstance(expected, str):
        if got == expected:
            return None
        return f"{_shown(got)} instead of {_shown(expected)}{_where(path)}"
    raise TypeError(f"cannot compare with a {type(expected).__name__}")


def _compare_array(got, expected: np.ndarray, rtol: float, atol: float, path: str) -> str | None:
    if isinstance(got, Real) and not isinstance(got, bool) and expected.shape == ():
        got = np.asarray(_float(got), dtype=np.float64)
    if not isinstance(got, np.ndarray):
        return (
            f"expected an array of shape {expected.shape}{_where(path)}, got {describe_type(got)}"
        )
    if got.shape != expected.shape:
        return f"shape {got.shape} instead of {expected.shape}{_where(path)}"
    if expected.dtype == np.bool_:
        if got.dtype != np.bool_ or not np.array_equal(got, expected):
            return f"wrong boolean values{_where(path)}"
        return None
    g = got.astype(np.float64)
    e = expected.astype(np.float64)
    bad_finite = np.isfinite(e) & ~np.isfinite(g)
    if bad_finite.any():
        index = tuple(int(i) for i in np.argwhere(bad_finite)[0])
        return (
            f"non-finite value {g[index]}{_where(path)} at index {index}, "
            f"expected {_fmt(float(e[index]))}"
        )
    close = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    diff = np.where(close, 0.0, np.abs(g - e))
    worst = tuple(int(i) for i in np.unravel_index(int(np.nanargmax(diff)), diff.shape))
    count = int((~close).sum())
    return (
        f"{count} of {close.size} values differ{_where(path)}; worst at index {worst}: "
        f"{_fmt(float(g[worst]))} instead of {_fmt(float(e[worst]))}"
    )


def _compare_number(got, expected: Real, rtol: float, atol: float, path: str) -> str | None:
    if isinstance(got, np.ndarray) and got.shape == ():
        got = float(got)
    if isinstance(got, bool) or not isinstance(got, Real):
        return f"expected a number{_where(path)}, got {describe_type(got)}"
    g, e = _float(got), _float(expected)
    if math.isnan(e):
        return None if math.isnan(g) else f"{_fmt_number(got)} instead of nan{_where(path)}"
    if math.isfinite(e) and not math.isfinite(g):
        return f"{_fmt_number(got)} instead of {_fmt(e)}{_where(path)}"
    if not math.isclose(g, e, rel_tol=rtol, abs_tol=atol) and g != e:
        return f"{_fmt_number(got)} instead of {_fmt_number(expected)}{_where(path)}"
    return None


def _compare_sequence(got, expected, rtol: float, atol: float, path: str) -> str | None:
    if not isinstance(got, tuple | list):
        return f"expected {describe_type(expected)}{_where(path)}, got {describe_type(got)}"
    if len(got) != len(expected):
        return f"{len(got)} items instead of {len(expected)}{_where(path)}"
    for index, (g, e) in enumerate(zip(got, expected, strict=True)):
        message = compare(g, e, rtol, atol, f"{path}[{index}]" if path else f"item {index}")
        if message:
            return message
    return None


def _compare_mapping(got, expected: dict, rtol: float, atol: float, path: str) -> str | None:
    if not isinstance(got, dict):
        return f"expected a dict{_where(path)}, got {describe_type(got)}"
    missing = sorted(set(expected) - set(got))
    if missing:
        return f"missing key(s) {', '.join(map(repr, missing))}{_where(path)}"
    for key in expected:
        where = f"{path}[{key!r}]" if path else f"[{key!r}]"
        message = compare(got[key], expected[key], rtol, atol, where)
        if message:
            return message
    return None


def summarize(value, limit: int = 12):
    """A small JSON-able picture of an input or output, for messages and the UI."""
    if isinstance(value, np.ndarray):
        # Every dimension checked, not just the size: tolist() of an empty (2**28, 0)
        # array builds 2**28 lists.
        if value.size <= limit and all(n <= limit for n in value.shape):
            return {
                "array": np.round(value.astype(np.float64), 6).tolist()
                if value.dtype != np.bool_
                else value.tolist(),
                "shape": list(value.shape),
            }
        return {
            "shape": list(value.shape),
            "first": np.round(value.ravel()[:limit].astype(np.float64), 6).tolist(),
        }
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**53:
        # Beyond what a browser's Number holds exactly, and JSON refuses ints over 4300 digits.
        return _fmt_number(value)
    if isinstance(value, tuple | list):
        shown = [summarize(v, limit) for v in value[:limit]]
        return shown if len(value) <= limit else [*shown, f"... {len(value)} items"]
    if isinstance(value, dict):
        return {str(k)[:SHOWN_CHARS]: summarize(v, limit) for k, v in list(value.items())[:limit]}
    if isinstance(value, str):
        return value if len(value) <= SHOWN_CHARS else _shown(value)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, FunctionRef):  # a test function: what it is, not how it is named
        return {"function": describe_function(value)}
    return repr(value)[:200]
