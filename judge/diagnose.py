"""Automatic diagnosis: what a wrong answer's relation to the right one says about the bug.

A check that fails knows three things the student does not: the input, the student's
answer and the reference's answer to the same input. Most bugs leave a trace in how the
two answers relate, whatever the exercise: a forgotten ``/ N`` makes every entry N times
too large, a subtraction the wrong way round flips the sign, ``axis=1`` for ``axis=0``
gives one value per row where one per column was due, a step counter started at 0 gives
the reference's answer for ``t - 1``. This module looks for such relations, in order from
the most specific to the most general, and names the first that holds in a sentence a
student can act on. Exercise authors write nothing for it; an authored known mistake,
when one matches, still wins (``judge.checks``).

``diagnose`` runs only once a check has failed, on the failing random case (never on a
shrunk one: degenerate inputs satisfy too many relations at once), so a correct
submission never pays for it. It is bounded: it looks at finite numeric leaves of at most
``MAX_ENTRIES`` entries, asks the reference (in this process) about at most
``MAX_VARIANTS`` modified inputs and the student's code (in the sandbox) about at most
``MAX_STUDENT_CALLS``, and stops after ``BUDGET_S``. Everything it reads from the
student's answer is data that came out of the jail: a relation is established here, on
the trusted side, from numbers compared with the reference's; it changes no score.

The relations, each with a ``kind`` (stable, for counting on the instructor's pages), a
short ``label`` ("off by a factor of 2", for those pages too) and a ``message``:

- ``overflow``: NaN or inf where the reference is finite;
- ``transposed``, ``other_axis``, ``extra_axis``, ``broadcast``, ``reduced``,
  ``not_reduced``: the shape tells the story;
- ``sign``, ``factor``, ``square``, ``root``: the answer is a simple function of the
  right one (the factor named when it is 2, 1/2, a size of an input or a scalar input
  such as the learning rate or the batch size);
- ``term``, ``offset``: the answer differs by a multiple of an input (a penalty, a decay,
  a bias) or by a constant;
- ``off_by_one``, ``shifted``: one step too many or too few, a sequence one step behind;
- ``modified_input``: the reference gives the student's answer when one input is
  changed (two inputs swapped, ``t`` one more, ``beta`` replaced by ``1 - beta``, an
  input as if it were zero, a parameter left at its default);
- ``matrices``, ``first_step_only``: the student's code is right on a simpler input (the
  same numbers as 1-D arrays, ``t = 1``) and wrong on this one;
- ``diverges_at``: the first entries of a sequence are right, later ones are not.
"""

from __future__ import annotations

import dataclasses
import math
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np

from .compare import compare, non_finite, plain

# Bounds on the work done for one failing check.
MAX_ENTRIES = 100_000
MAX_VARIANTS = 40
MAX_STUDENT_CALLS = 3
BUDGET_S = 0.5
MAX_DEPTH = 6

RTOL = 1e-6
# Relative to the largest number compared, never absolute: an absolute floor would make
# every answer to a tiny input (a loss of 1e-8 at a scale of 1e-4) look like zero.
ATOL = 1e-9

# Integer inputs that index a step in a formula (Adam's t) rather than count the steps a
# loop makes: only these are tried "very large" (a count that large would run forever).
STEP_INDEXES = frozenset({"t", "step", "iteration", "k"})


@dataclass(frozen=True)
class Diagnosis:
    kind: str
    label: str
    message: str
    # Found on an answer of one or two numbers, where relations hold by coincidence more
    # easily (a mean absolute error is the root of a mean squared one on one entry): the
    # caller confirms it on fresh cases before telling the student.
    tentative: bool = False

    def to_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "message": self.message}


@dataclass
class Inputs:
    """The failing call, with names: ``names[i]`` is positional argument i's name
    (``defaults`` the entry's default values by name), so a sentence can say ``lr`` rather
    than "argument 3". Without names (a check with its own observe function), the
    relations that change inputs are not tried."""

    args: tuple
    kwargs: dict
    names: list[str]
    defaults: dict

    def named(self) -> list[tuple[str, Any]]:
        pairs = [
            (self.names[i] if i < len(self.names) else f"argument {i + 1}", value)
            for i, value in enumerate(self.args)
        ]
        return pairs + list(self.kwargs.items())


class _Budget:
    def __init__(self, seconds: float):
        self.ends = time.monotonic() + seconds

    def left(self) -> bool:
        return time.monotonic() < self.ends

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())


class TooSlow(Exception):
    """A trusted call made for a diagnosis ran past its time."""


def guarded() -> bool:
    """Whether ``call_within`` can stop a call: a timer signal reaches the main thread
    only (where a prefork worker grades), and only when no other timer is running."""
    if threading.current_thread() is not threading.main_thread():
        return False
    return signal.getitimer(signal.ITIMER_REAL)[0] == 0


def call_within(seconds: float, fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, stopped with TooSlow after ``seconds`` where a timer can
    stop it (see ``guarded``), else unguarded. The reference runs in this process: a
    changed input (a count one larger) must not let it run for ever."""
    if seconds <= 0:
        raise TooSlow("no time left")
    if not guarded():
        return fn(*args, **kwargs)

    def stop(signum, frame):
        raise TooSlow(f"over {seconds:.2f} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def reraise_task_limit(exc: Exception) -> None:
    """The task's own soft time limit (Celery's, an Exception too) is never a diagnosis's
    to swallow: the worker decides what it means. Named, not imported: the judge does not
    depend on Celery."""
    if type(exc).__name__ == "SoftTimeLimitExceeded":
        raise exc


# One trusted call of a diagnosis takes at most this long (and what the budget has left).
CALL_S = 0.2


def diagnose(
    got,
    expected,
    inputs: Inputs,
    *,
    outputs: tuple = (),
    reference_at: Callable | None = None,
    student_at: Callable | None = None,
    budget_s: float = BUDGET_S,
) -> Diagnosis | None:
    """The first relation between the student's answer ``got`` and the reference's
    ``expected`` (plain values, as ``judge.compare`` takes them) that names the bug, or
    None. ``reference_at(args, kwargs)`` and ``student_at(args, kwargs)`` answer a
    modified call (or raise); without them only the answers themselves are compared."""
    budget = _Budget(budget_s)
    if reference_at is not None:
        unbounded = reference_at

        def reference_at(args, kwargs):
            return call_within(min(CALL_S, budget.remaining()), unbounded, args, kwargs)

    try:
        return _diagnose(got, expected, inputs, outputs, reference_at, student_at, budget)
    except _Propagate as stop:
        raise stop.exc from None
    except Exception as exc:
        reraise_task_limit(exc)
        # A diagnosis is a courtesy: whatever the student's answer provokes here, the
        # check's own verdict and message stand.
        return None


class NoAnswer(Exception):
    """What ``student_at`` raises when the student's code raised or answered something
    the trusted side would not look at: that simpler input tells nothing."""


class _Propagate(Exception):
    """Anything else the student's side raised (the run ended, the sandbox failed) is
    not the diagnosis's to swallow: the engine decides what it means."""

    def __init__(self, exc: BaseException):
        super().__init__(str(exc))
        self.exc = exc


def _diagnose(got, expected, inputs, outputs, reference_at, student_at, budget):
    leaves = _differing_leaves(got, expected, outputs)
    if not leaves:
        return None
    found = _diagnose_leaves(got, leaves, inputs, reference_at, student_at, budget)
    if found is not None and found.kind != "overflow" and leaves[0][1].size <= 2:
        found = dataclasses.replace(found, tentative=True)
    return found


def _diagnose_leaves(got, leaves, inputs, reference_at, student_at, budget):
    """The relations from the most specific to the most general; within each, the parts
    of the answer in order (a wrong running average makes the new weights wrong too, but
    only the average shows the relation)."""
    for where, g, e, listed in leaves:
        found = _leaf_relation(g, e, inputs, where, _is_sequence(e, inputs, where, listed))
        if found is not None:
            return found
    if reference_at is not None and inputs.names and budget.left():
        found = _modified_input(got, inputs, reference_at, budget)
        if found is not None:
            return found
    for where, g, e, _listed in leaves:
        found = None if _counts(g, e) else _term_factor(g, e, inputs, where)
        found = found or _where_wrong(g, e, inputs, where)
        if found is None and not _counts(g, e):
            found = _loose_relation(g, e, inputs, where)
        if found is not None:
            return found
    where, g, e, listed = leaves[0]
    if reference_at is not None and student_at is not None and inputs.names:
        found = _right_on_simpler(inputs, reference_at, student_at, budget)
        if found is not None:
            return found
    found = _diverges(g, e, where) if _is_sequence(e, inputs, where, listed) else None
    return found or _part_wrong(got, leaves)


# Output names (a check's ``outputs``) that say "one entry per step".
SEQUENCE_WORDS = ("losses", "path", "history", "trajectory", "schedule", "steps")


def _is_sequence(e: np.ndarray, inputs: Inputs, where: str, listed: bool) -> bool:
    """Entries along the first axis are steps (a list, an output named losses or path, a
    path starting at x0), not rows of a matrix: only then do "shifted by a step" and
    "right for the first steps" mean anything."""
    if listed or any(word in where for word in SEQUENCE_WORDS):
        return True
    if e.ndim < 1 or e.shape[0] < 2:
        return False
    for _, value in inputs.named():
        start = _numeric(value) if isinstance(value, np.ndarray) else None
        if start is not None and start.shape == e.shape[1:] and _same(e[0], start):
            return True
    return False


def _where_wrong(g, e, inputs: Inputs, where: str):
    """An array wrong in only some entries, and those entries have something in common:
    the first or the last along the first axis, or exactly where an input of the same
    shape is negative, positive or zero (a mask forgotten or applied the wrong way)."""
    if g.shape != e.shape or g.size < 4:
        return None
    with np.errstate(all="ignore"):
        # Wrong by ten times the tolerance: which entries cross the tolerance itself is
        # noise when the answer is only just wrong.
        wrong = ~np.isclose(g, e, rtol=10 * RTOL, atol=10 * _floor(g, e))
    if wrong.all() or not wrong.any():
        return None
    if g.ndim >= 1 and g.shape[0] > 1:
        rows = wrong.reshape(g.shape[0], -1).any(axis=1)
        for index, which in ((0, "first"), (g.shape[0] - 1, "last")):
            if rows[index] and rows.sum() == 1:
                entry = "row" if g.ndim > 1 else "entry"
                return Diagnosis(
                    "one_entry",
                    f"only the {which} {entry} wrong",
                    f"{_in(where)} answer is right except in its {which} {entry} (index "
                    f"{index}): look at what your code does differently there (a loop "
                    "that starts or stops one early, an entry skipped or treated apart).",
                )
    for name, value in inputs.named():
        a = _numeric(value) if isinstance(value, np.ndarray) else None
        if a is None or a.shape != g.shape:
            continue
        for test, words in ((a < 0, "negative"), (a > 0, "positive"), (a == 0, "zero")):
            if np.array_equal(wrong, test):
                return Diagnosis(
                    "where_wrong",
                    f"wrong where {name} is {words}",
                    f"{_in(where)} answer is right except exactly where {name} is {words}: "
                    f"a rule that depends on the sign of {name} (a mask like x > 0, an "
                    "absolute value, a clip) is missing or the wrong way round.",
                )
    return None


def _part_wrong(got, leaves):
    """An answer of several parts with some right: which parts are wrong is worth saying
    when nothing more specific is."""
    if not isinstance(got, tuple | list | dict) or not leaves or not leaves[0][0]:
        return None
    # The top-level parts with a wrong leaf ("the gradients['W1']" is part of "the
    # gradients"), against how many parts the answer has.
    parts = list(dict.fromkeys(where.split("[")[0] or where for where, *_ in leaves))
    if len(parts) >= len(got):
        return None
    shown = ", ".join(where for where, *_ in leaves[:4])
    return Diagnosis(
        "part_wrong",
        "only some parts wrong",
        f"Only part of your answer is wrong ({shown}); the rest matches the right answer. "
        "Look at the code that computes those parts alone: the parts that are right show "
        "the shared steps before them work.",
    )


# -- finding what differs ----------------------------------------------------------------


def _numeric(value) -> np.ndarray | None:
    """A number, an array or a flat list of numbers as a float array; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Real):
        try:
            return np.array(float(value))
        except OverflowError:
            return np.array(math.inf if value > 0 else -math.inf)  # type: ignore[operator]
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "fiu" or value.size > MAX_ENTRIES:
            return None
        return value.astype(np.float64)
    # A list of numbers is a sequence (losses per epoch); a tuple is an answer of
    # several parts (stop_epoch, best_epoch), each looked at on its own.
    numbers = isinstance(value, list) and 0 < len(value) <= MAX_ENTRIES
    if numbers and all(isinstance(v, Real) and not isinstance(v, bool) for v in value):
        try:
            return np.array([float(v) for v in value])
        except OverflowError:
            return None
    return None


def _largest(*arrays: np.ndarray) -> float:
    """The largest finite magnitude among these numbers (0 if none)."""
    found = 0.0
    for a in arrays:
        finite = np.abs(a[np.isfinite(a)])
        if finite.size:
            found = max(found, float(finite.max()))
    return found


def _floor(*arrays: np.ndarray) -> float:
    """What counts as zero beside these numbers: ATOL times the largest of them."""
    return ATOL * _largest(*arrays)


def _same(a: np.ndarray, b: np.ndarray, rtol: float = RTOL, atol: float = ATOL) -> bool:
    if a.shape != b.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.allclose(a, b, rtol=rtol, atol=atol * _largest(a, b), equal_nan=False))


MAX_LEAVES = 8


def _differing_leaves(got, expected, outputs: tuple) -> list[tuple]:
    """(where, got leaf, expected leaf, came from a list) of the numeric leaves that
    differ, in the order
    ``judge.compare`` reports them (at most MAX_LEAVES); leaves of another type or shape
    of container are left to the check's own message."""
    found: list = []
    _collect(got, expected, outputs, "", 0, found)
    return found


def _collect(got, expected, outputs: tuple, where: str, depth: int, found: list) -> None:
    if depth > MAX_DEPTH or len(found) >= MAX_LEAVES:
        return
    e = _numeric(expected)
    if e is not None:
        g = _numeric(got)
        if g is not None and not _same(g, e):
            found.append((where, g, e, isinstance(expected, list)))
        return
    if isinstance(expected, tuple | list) and isinstance(got, tuple | list):
        for index, item in enumerate(expected[: len(got)]):
            label = outputs[index] if depth == 0 and index < len(outputs) else f"item {index}"
            inner = label if not where else f"{where}[{index}]"
            _collect(got[index], item, (), inner, depth + 1, found)
    elif isinstance(expected, dict) and isinstance(got, dict):
        for key, item in expected.items():
            if key in got:
                inner = f"{where}[{key!r}]" if where else f"[{key!r}]"
                _collect(got[key], item, (), inner, depth + 1, found)


# -- relations between the two answers ----------------------------------------------------


def _in(where: str) -> str:
    return f"In {where}: your" if where else "Your"


def _leaf_relation(g: np.ndarray, e: np.ndarray, inputs: Inputs, where: str, sequence: bool):
    if not np.isfinite(e).all():
        return None
    if not np.isfinite(g).all():
        return _overflow(g, where)
    if g.shape != e.shape:
        return _shape_relation(g, e, inputs, where)
    if g.size > 1 and not np.any(np.abs(g) > _floor(e)):
        return Diagnosis(
            "zeros",
            "all zeros",
            f"{_in(where)} answer is all zeros where the right one is not: the value is "
            "never computed or never updated (a loop that does not run, an update made to "
            "a copy, a result returned before it is filled in).",
        )
    relations: tuple[Callable, ...] = (
        _sign, _named_factor, _square_or_root, _update_step, _named_term,
    )  # fmt: skip
    if _counts(g, e):
        # Whole numbers (an epoch, a count): a ratio or a difference between two small
        # integers is some multiple of anything; only "one off" says something.
        relations = (_sign,)
    for relation in (*relations, _integer_off_by_one):
        found = relation(g, e, inputs, where)
        if found is not None:
            return found
    if not sequence:
        return None
    return _sequence_shift(g, e, where) or _sequence_step(g, e, inputs, where)


def _counts(g: np.ndarray, e: np.ndarray) -> bool:
    both = np.concatenate([g.ravel(), e.ravel()])
    return bool(np.all(both == np.round(both)) and np.all(np.abs(both) < 1e6))


def _update_step(g, e, inputs: Inputs, where: str):
    """An answer shaped like an input it updates (the new w from w) is judged on how far
    it moved, where a factor or a sign shows."""
    for name, value in inputs.named():
        start = _numeric(value)
        if start is None or start.shape != e.shape or start.ndim == 0:
            continue
        step_g, step_e = g - start, e - start
        if not np.any(np.abs(step_e) > _floor(e)) or not _updates(name, where, start, step_e):
            continue
        return _step_relation(step_g, step_e, inputs, where, name)
    return None


def _updates(name: str, where: str, start: np.ndarray, step: np.ndarray) -> bool:
    """The answer is ``start`` moved (the new w from w): the output is named after the
    input ("the new w"), or it lies nearer the input than the input's own size."""
    if name in where.replace("[", " ").replace("]", " ").split():
        return True
    return float(np.linalg.norm(step)) < 0.5 * float(np.linalg.norm(start))


def _overflow(g: np.ndarray, where: str) -> Diagnosis:
    what = "NaN" if np.isnan(g).any() else "inf"
    return Diagnosis(
        "overflow",
        "NaN or inf (overflow)",
        f"{_in(where)} answer contains {what} where the right answer is finite: a number "
        "overflowed or was divided by zero on the way. Look for exp() of a large value, a "
        "square of a huge one, a log of 0 or a division by something that can be 0, and "
        "use the numerically stable form of the formula.",
    )


def _shape_relation(g, e, inputs: Inputs, where: str):
    shape_note = f"shape {g.shape} instead of {e.shape}"
    if g.ndim == 2 and e.ndim == 2 and g.shape == e.shape[::-1]:
        same = _same(g, e.T)
        return Diagnosis(
            "transposed",
            "transposed",
            f"{_in(where)} answer is {'the transpose of the right one' if same else 'transposed'}"
            f" ({shape_note}): swap the order of a matrix product or transpose the result "
            "(dimension check: the gradient of a weight has the weight's shape).",
        )
    if e.ndim >= 1 and e.shape[0] > 1 and g.shape == e.shape[1:]:
        for which, index in (("last", -1), ("first", 0)):
            if _same(g, e[index]):
                return Diagnosis(
                    "last_only" if index else "first_only",
                    f"only the {which} entry returned",
                    f"{_in(where)} answer is the {which} entry of the right one ({shape_note}): "
                    "the whole sequence is expected, one entry per step; collect them in a "
                    "list as you go and return it.",
                )
    if g.size == e.size and g.size > 1 and _same(g.reshape(e.shape), e):
        return Diagnosis(
            "extra_axis",
            "right values, wrong shape",
            f"{_in(where)} values are right but the {shape_note}: drop or add the extra "
            "axis (keepdims, reshape, ravel) so the result has the expected shape.",
        )
    return _size_relation(g, e, inputs, where, shape_note)


def _size_relation(g, e, inputs: Inputs, where: str, shape_note: str):
    """Answers of another size: reduced too far or not enough, broadcast, along the other
    axis, one entry too many or too few."""
    if e.ndim == 0 and g.size > 1:
        for how, value in (("mean", g.mean()), ("sum", g.sum())):
            if _same(np.array(value), e):
                return Diagnosis(
                    "not_reduced",
                    "not reduced to one number",
                    f"{_in(where)} answer has one value per entry ({shape_note}); their "
                    f"{how} is the right answer: reduce them to one number.",
                )
        return Diagnosis(
            "not_reduced",
            "not reduced to one number",
            f"{_in(where)} answer is an array of {shape_note.replace('instead of ()', '')}"
            "where one number is expected: the loss (or the value asked for) is a single "
            "number; average or sum the entries as the statement says.",
        )
    if g.size == 1 and e.size > 1:
        for how, value in (("mean", e.mean()), ("sum", e.sum())):
            if _same(g.reshape(()), np.array(value)):
                return Diagnosis(
                    "reduced",
                    "reduced too far",
                    f"{_in(where)} answer is the {how} of the right one ({shape_note}): "
                    "every entry is expected, not their total.",
                )
    if g.ndim == 2 and e.ndim == 1 and g.shape == (e.size, e.size):
        return Diagnosis(
            "broadcast",
            "shapes broadcast by accident",
            f"{_in(where)} answer has {shape_note}: an array of shape ({e.size},) and one "
            f"of shape ({e.size}, 1) were probably combined and numpy broadcast them into "
            "a square. Make both the same shape (ravel or reshape) before subtracting.",
        )
    if g.ndim == e.ndim == 1 and g.size != e.size:
        found = _other_axis(g, e, inputs, where, shape_note)
        if found is not None:
            return found
    one_off = g.ndim == e.ndim and g.ndim >= 1 and abs(g.shape[0] - e.shape[0]) == 1
    if one_off and g.shape[1:] == e.shape[1:]:
        return _length_off_by_one(g, e, where)
    return None


def _other_axis(g, e, inputs: Inputs, where: str, shape_note: str):
    for name, value in inputs.named():
        a = _numeric(value)
        if a is None or a.ndim != 2 or {g.size, e.size} != set(a.shape) or a.shape[0] == a.shape[1]:
            continue
        rows = g.size == a.shape[0]
        return Diagnosis(
            "other_axis",
            "reduced along the wrong axis",
            f"{_in(where)} answer has one value per {'row' if rows else 'column'} of "
            f"{name} ({shape_note}) where one per {'column' if rows else 'row'} is "
            "expected: reduce along the other axis (axis=0 sums over rows, axis=1 over "
            "columns), or transpose a factor of the matrix product.",
        )
    return None


def _length_off_by_one(g, e, where: str):
    more = g.shape[0] > e.shape[0]
    if more:
        detail = (
            "an extra first entry"
            if _same(g[1:], e)
            else "an extra last entry"
            if _same(g[:-1], e)
            else "one entry too many"
        )
    else:
        detail = (
            "the first entry missing"
            if _same(g, e[1:])
            else "the last entry missing"
            if _same(g, e[:-1])
            else "one entry too few"
        )
    return Diagnosis(
        "off_by_one",
        "one step too many or too few",
        f"{_in(where)} answer has {g.shape[0]} entries where {e.shape[0]} are expected "
        f"({detail}): check where the loop starts and stops (range(steps) vs "
        "range(steps + 1)) and whether the starting value is included.",
    )


def _sign(g, e, inputs, where):
    if e.size and np.any(e != 0) and _same(g, -e):
        return Diagnosis(
            "sign",
            "opposite sign",
            f"{_in(where)} answer has the opposite sign of the right one: check the order "
            "of a subtraction (prediction − target, not target − prediction) or a minus "
            "sign in the update (descent moves against the gradient).",
        )
    return None


def _ratio(g, e) -> float | None:
    """The one number r with g = r·e everywhere, or None."""
    big = np.abs(e) > _floor(e)
    if not big.any() or not _same(g[~big], np.zeros(int((~big).sum()))):
        return None
    ratios = g[big] / e[big]
    r = float(np.median(ratios))
    if not math.isfinite(r) or abs(r) < 1e-12 or math.isclose(r, 1.0, rel_tol=1e-6):
        return None
    if not np.allclose(ratios, r, rtol=1e-6, atol=0):
        return None
    return r


@dataclass(frozen=True)
class _Factor:
    value: float
    shown: str  # "1/N", "2·lr"
    why: str  # "N = 12 is the number of entries of y_pred"
    label: str  # for counting: "off by a factor of 1/N"


def _factor_candidates(inputs: Inputs) -> list[_Factor]:
    """Factors a bug commonly introduces, with the words that name them: 2, the sizes of
    the array inputs, the scalar inputs (a learning rate, a batch size), their inverses
    and doubles."""
    bases: list[tuple[float, str, str]] = []  # value, symbol, why
    for name, value in inputs.named():
        if isinstance(value, bool) or "seed" in name:
            continue  # a seed is a label, not a quantity
        if (
            isinstance(value, Real)
            and math.isfinite(float(value))
            and float(value) not in (0.0, 1.0)
        ):
            bases.append((float(value), name, f"{name} = {float(value):g}"))
            continue
        a = _numeric(value) if isinstance(value, np.ndarray) else None
        if a is None or a.ndim == 0:
            continue
        if a.ndim == 1:
            bases.append((a.shape[0], "N", f"N = {a.shape[0]} is the length of {name}"))
        else:
            bases.append((a.shape[0], "N", f"N = {a.shape[0]} is the number of rows of {name}"))
            bases.append((a.size, "N", f"N = {a.size} is the number of entries of {name}"))
            bases.append(
                (a.shape[-1], "D", f"D = {a.shape[-1]} is the number of columns of {name}")
            )
    found = [
        _Factor(2.0, "2", "", "off by a factor of 2"),
        _Factor(0.5, "1/2", "", "off by a factor of 1/2"),
    ]
    bases = [(v, symbol, why) for v, symbol, why in bases if v not in (0, 1)]
    # The plain factors of every input before any compound one: 3 columns is "D", not
    # "N/2" of 6 entries.
    for value, symbol, why in bases:
        found += [
            _Factor(value, symbol, why, f"off by a factor of {symbol}"),
            _Factor(1 / value, f"1/{symbol}", why, f"off by a factor of 1/{symbol}"),
        ]
    for value, symbol, why in bases:
        found += [
            _Factor(2 * value, f"2·{symbol}", why, f"off by a factor of 2·{symbol}"),
            _Factor(value / 2, f"{symbol}/2", why, f"off by a factor of {symbol}/2"),
        ]
    return found


def _named_factor(g, e, inputs: Inputs, where: str, step: str = ""):
    r = _ratio(g, e)
    if r is None or math.isclose(r, -1.0, rel_tol=1e-6):
        return None
    factor = next(
        (f for f in _factor_candidates(inputs) if math.isclose(abs(r), f.value, rel_tol=1e-6)),
        None,
    )
    if factor is None:
        return None
    what = f"step (the change from {step})" if step else "answer"
    times = "half" if factor.shown == "1/2" else f"{factor.shown} times"
    sign = " and has the opposite sign" if r < 0 else ""
    why = f" ({factor.why})" if factor.why else ""
    return Diagnosis(
        "factor",
        factor.label,
        f"{_in(where)} {what} is {times} the right one{why}{sign}. A constant factor is "
        "wrong: a division by the number of examples (or entries) missing or doubled, a "
        "factor 2 from the derivative of a square, or a learning rate or batch size "
        "applied twice or not at all.",
    )


def _square_or_root(g, e, inputs, where):
    if np.all((np.abs(e) <= _floor(e)) | (np.abs(np.abs(e) - 1) < 1e-9)):
        return None  # 0 and 1 are their own squares
    if _same(g, e * e):
        return Diagnosis(
            "square",
            "square of the right answer",
            f"{_in(where)} answer is the square of the right one: a value is squared once "
            "too often (or a square root is missing).",
        )
    if np.all(e >= 0) and _same(g, np.sqrt(e)):
        return Diagnosis(
            "root",
            "square root of the right answer",
            f"{_in(where)} answer is the square root of the right one: drop the last "
            "square root (or square where you took a root).",
        )
    return None


def _scalar_candidates(inputs: Inputs) -> list[tuple[float, str]]:
    """Coefficients a missing term carries: 1, a scalar input, twice or half it, and the
    product of two (lr·weight_decay)."""
    scalars = [
        (float(v), n)
        for n, v in inputs.named()
        if isinstance(v, Real)
        and not isinstance(v, bool)
        and math.isfinite(float(v))
        and float(v) not in (0.0, 1.0)
    ]
    found = [(1.0, ""), (2.0, "2·"), (0.5, "½·")]
    for value, name in scalars:
        found += [(value, f"{name}·"), (2 * value, f"2·{name}·"), (value / 2, f"{name}/2·")]
    for i, (a, name_a) in enumerate(scalars):
        for b, name_b in scalars[i + 1 :]:
            found.append((a * b, f"{name_a}·{name_b}·"))
    return found


def _terms(inputs: Inputs, shape: tuple):
    """(input name, term, words) for the terms a formula commonly has in an input: the
    input itself and its square when shaped like the answer, its squared or absolute
    sum when the answer is one number (a penalty)."""
    for name, value in inputs.named():
        a = _numeric(value) if isinstance(value, np.ndarray | list) else None
        if a is None or a.size == 0:
            continue
        terms: list[tuple[np.ndarray, str]] = []
        if a.shape == shape and a.ndim > 0:
            terms += [(a, name), (a * a, f"{name}²")]
        if shape == ():
            terms += [
                (np.array(np.sum(a * a)), f"‖{name}‖²"),
                (np.array(np.sum(np.abs(a))), f"‖{name}‖₁"),
            ]
        for term, words in terms:
            if np.any(term != 0):
                yield name, term, words


def _clearly_apart(g, e) -> bool:
    """Apart by ten times the tolerance: a relation between answers that differ less
    than that (a term too small to see, a rounding) is no evidence of anything."""
    return not _same(g, e, rtol=10 * RTOL, atol=10 * ATOL)


def _fit(y: np.ndarray, x: np.ndarray) -> float | None:
    """The one number k with y = k·x everywhere (least squares, then checked), or None:
    a single comparison where trying every candidate k would take one each."""
    xx = float(np.vdot(x, x))
    if xx == 0 or not math.isfinite(xx):
        return None
    k = float(np.vdot(y, x)) / xx
    return k if math.isfinite(k) and _same(y, k * x) else None


def _named_term(g, e, inputs: Inputs, where: str):
    d = g - e
    if not _clearly_apart(g, e):
        return None
    coefficients = _scalar_candidates(inputs)
    for name, term, words in _terms(inputs, d.shape):
        k = _fit(d, term)
        if k is None:
            continue
        for coefficient, prefix in coefficients:
            if not math.isclose(abs(k), coefficient, rel_tol=RTOL):
                continue
            extra = "extra" if k > 0 else "missing"
            return Diagnosis(
                "term",
                f"a term in {name} {extra}",
                f"{_in(where)} answer differs from the right one by exactly "
                f"{'−' if k < 0 else ''}{prefix}{words}: a term in {name} is "
                f"{extra} (a penalty, a weight decay, a bias or a momentum term): "
                "compare each term of your formula with the statement's.",
            )
    return None


def _matching(k: float | None, factors: list[_Factor]) -> _Factor | None:
    if k is None:
        return None
    return next((f for f in factors if math.isclose(k, f.value, rel_tol=RTOL)), None)


def _term_factor(g, e, inputs: Inputs, where: str):
    """The right answer as a term in an input (c·A: a penalty 2·lam·w, a gradient in a
    velocity) plus the rest, with one of the two parts off by a factor or a sign and the
    other right: which part is wrong, and by how much."""
    if not _clearly_apart(g, e):
        return None
    # Plain factors only (2, 1/2, -1 and the sizes N, 1/N, D, 1/D): with a coefficient
    # free as well, compound factors (2·N) or scalar inputs (lr, beta) would fit by
    # coincidence too often (a scalar's multiples are the coefficients' business).
    candidates = _factor_candidates(inputs)
    plain = [
        f for f in candidates if f.shown in ("2", "1/2") or f.shown.removeprefix("1/") in ("N", "D")
    ]
    factors = [*plain, _Factor(-1.0, "−1", "", "opposite sign")]
    # A scalar input as the factor of a bare input (lr·grad where grad was due).
    scalars = [f for f in candidates if f.why and f.why.split(" =")[0] == f.shown]
    for name, term, words in _terms(inputs, e.shape):
        for coefficient, prefix in _scalar_candidates(inputs):
            part = coefficient * term
            rest = e - part
            if not (np.any(np.abs(part) > _floor(e)) and np.any(np.abs(rest) > _floor(e))):
                continue
            bare = coefficient == 1.0 and words == name
            f = _matching(_fit(g - rest, part), factors + (scalars if bare else []))
            if f is not None:
                times = "minus" if f.value == -1 else f"{f.shown} times"
                why = f" ({f.why})" if f.why else ""
                return Diagnosis(
                    "term",
                    f"the term in {name} off by a factor",
                    f"{_in(where)} answer is right except for its term in {name}: "
                    f"it has {times} {prefix}{words}{why}. Check the coefficient of that "
                    "term (a factor 2 from a square, a division by N where none belongs, "
                    "a sign).",
                )
            if bare:
                continue  # the rest is then the step from the input: _update_step's
            f = _matching(_fit(g - part, rest), factors)
            if f is not None:
                times = "minus" if f.value == -1 else f"{f.shown} times"
                why = f" ({f.why})" if f.why else ""
                return Diagnosis(
                    "term",
                    f"all but the term in {name} off by a factor",
                    f"{_in(where)} term in {name}, {prefix}{words}, is right, and the "
                    f"rest of your answer is {times} the right value{why}. Check what "
                    "multiplies the other terms (a factor 2, a division by N, the sign "
                    "of a residual).",
                )
    return None


def _integer_off_by_one(g, e, inputs, where):
    if g.size != 1 or not (float(e.flat[0]).is_integer() and float(g.flat[0]).is_integer()):
        return None
    d = float(g.flat[0] - e.flat[0])
    if abs(d) != 1:
        return None
    return Diagnosis(
        "off_by_one",
        "off by one",
        f"{_in(where)} answer is one {'more' if d > 0 else 'less'} than the right one: "
        "check whether you count from 0 or from 1, and where your loop stops.",
    )


def _sequence_step(g, e, inputs: Inputs, where: str):
    """A sequence (a path, a list of losses) right up to entry i - 1: the move from entry
    i - 1 to entry i tells what the update does wrong."""
    if g.ndim < 1 or g.shape[0] < 2:
        return None
    first = next((i for i in range(g.shape[0]) if not _same(g[i], e[i])), None)
    if not first:
        return None
    step_g, step_e = g[first] - g[first - 1], e[first] - e[first - 1]
    if not np.any(np.abs(step_e) > _floor(e)):
        return None
    return _step_relation(np.asarray(step_g), np.asarray(step_e), inputs, where, "the entry before")


def _sequence_shift(g, e, where):
    if g.ndim < 1 or g.shape[0] < 3:
        return None
    if _same(g[1:], e[:-1]):
        late = "one step behind"
    elif _same(g[:-1], e[1:]):
        late = "one step ahead of"
    else:
        return None
    return Diagnosis(
        "shifted",
        "shifted by one step",
        f"{_in(where)} sequence is {late} the right one: each entry is the right one "
        "for the neighbouring step. Record the value before or after the update as the "
        "statement says, and check where the step counter starts.",
    )


def _step_relation(step_g, step_e, inputs: Inputs, where: str, start: str):
    if _same(step_g, np.zeros_like(step_g)):
        return Diagnosis(
            "no_step",
            "no update made",
            f"{_in(where)} answer equals {start}: the update was not applied (or was "
            "applied to a copy that is not returned).",
        )
    if _same(step_g, -step_e):
        return Diagnosis(
            "sign",
            "opposite sign",
            f"{_in(where)} step (the change from {start}) goes the opposite way: descent "
            "subtracts the update (w − lr·…); check the sign.",
        )
    return _named_factor(step_g, step_e, inputs, where, step=start)


def _near_one(r: float) -> str:
    """1.00004 as "1 + 4e-05", not "1": a factor that close to 1 is a rate or a decay."""
    if abs(r - 1) < 0.01:
        return f"1 {'+' if r > 1 else '−'} {abs(r - 1):.3g}"
    return f"{r:.4g}"


def _loose_relation(g, e, inputs: Inputs, where: str):
    """Relations that hold but name nothing specific: a factor or an offset that is none
    of the usual ones. Only for answers of several distinct magnitudes: on one number any
    value is some multiple of any other, and so is a constant array (the loss curve of a
    run that does not move) or a pair (a, −a)."""
    if g.shape != e.shape or _magnitudes(e) < 2 or not np.isfinite(g).all():
        return None
    r = _ratio(g, e)
    if r is not None:
        return Diagnosis(
            "factor",
            "off by a constant factor",
            f"{_in(where)} answer is the right one multiplied by {_near_one(r)} everywhere: "
            "one constant in your formula (a scale, a division, a rate, a decay) is wrong.",
        )
    d = g - e
    if np.any(np.abs(d) > _floor(e)) and np.allclose(d, d.flat[0], rtol=1e-6, atol=_floor(e)):
        return Diagnosis(
            "offset",
            "off by a constant",
            f"{_in(where)} answer is the right one plus {float(d.flat[0]):.4g} everywhere: a "
            "constant term is added or missing.",
        )
    return None


def _magnitudes(e: np.ndarray, most: int = 3) -> int:
    """How many distinct magnitudes ``e`` holds (relative gaps over 1e-9), up to
    ``most``: the number of independent numbers a relation found on it rests on."""
    a = np.sort(np.abs(e[np.isfinite(e)].ravel()))
    if a.size == 0:
        return 0
    gaps = np.diff(a) > 1e-9 * max(float(a[-1]), 1e-300)
    return min(most, 1 + int(np.count_nonzero(gaps)))


def _diverges(g, e, where):
    if g.shape != e.shape or g.ndim < 1 or g.shape[0] < 3:
        return None
    first = next((i for i in range(g.shape[0]) if not _same(g[i], e[i])), None)
    if not first:
        return None
    return Diagnosis(
        "diverges_at",
        "right for the first steps only",
        f"{_in(where)} first {first} {'entry is' if first == 1 else 'entries are'} right "
        f"and entry {first} (counting from 0) is not: what carries over from one step to "
        "the next (a running average, a velocity, the step counter, the order of the "
        "examples) is wrong or not updated.",
    )


# -- modified inputs -------------------------------------------------------------------


def _variants(inputs: Inputs):
    """(args, kwargs, kind, label, sentence) for inputs changed the way bugs change them:
    an integer one more or less (or very large, for a step index), a number replaced by
    its complement, its default, twice or half itself, 0 or 1, an array by zeros, and two
    inputs of the same kind swapped."""
    named = inputs.named()
    for index, (name, value) in enumerate(named):
        if isinstance(value, bool):
            continue
        if isinstance(value, int | np.integer):
            changes = _integer_changes(name, int(value))
        elif isinstance(value, float):
            changes = _float_changes(name, value, inputs.defaults.get(name))
        elif isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.size:
            changes = [(np.zeros_like(value), "modified_input", f"{name} ignored",
                        f"your answer is what the right formula gives when {name} is all "
                        f"zeros: {name} is not used where it should be.")]  # fmt: skip
        else:
            continue
        for new, kind, label, sentence in changes:
            yield (*_with_value(inputs, index, new), kind, label, sentence)
    yield from _swaps(inputs, lambda v: isinstance(v, np.ndarray), "check which is which where you use them.")  # fmt: skip
    yield from _swaps(inputs, lambda v: isinstance(v, float), "each is used where the other belongs.")  # fmt: skip


def _with_value(inputs: Inputs, index: int, value) -> tuple[tuple, dict]:
    args, kwargs = list(inputs.args), dict(inputs.kwargs)
    if index < len(args):
        args[index] = value
    else:
        kwargs[inputs.named()[index][0]] = value
    return tuple(args), kwargs


def _integer_changes(name: str, v: int):
    for delta in (-1, 1):
        yield (v + delta, "off_by_one", f"{name} off by one",
               f"your answer is the right one for {name} = {v + delta} (here {name} = {v}): "
               f"an off-by-one in {name}; check whether it counts from 0 or from 1.")  # fmt: skip
    if v >= 1 and name in STEP_INDEXES and guarded():  # only where it can be stopped
        yield (10**9, "modified_input", f"{name} ignored",
               f"your answer is what the right formula gives for a very large {name}: the "
               f"terms that depend on {name} (such as a bias correction 1 − βᵗ) are "
               "missing.")  # fmt: skip


def _float_changes(name: str, value: float, default):
    if 0 < value < 1:
        yield (1 - value, "modified_input", f"{name} as 1 − {name}",
               f"your answer is the right one with {name} replaced by 1 − {name}: where "
               f"{name} and 1 − {name} weigh two things (an old average and a new value), "
               "they are the wrong way round.")  # fmt: skip
    if isinstance(default, float) and default != value:
        yield (default, "modified_input", f"{name} ignored",
               f"your answer is the right one for {name} = {default:g}, its default, "
               f"although {name} = {value:g} was passed: use the argument, not a fixed "
               "value.")  # fmt: skip
    for factor, words in ((2.0, "twice"), (0.5, "half")):
        yield (value * factor, "modified_input", f"{name} doubled or halved",
               f"your answer is the right one for {words} the {name} passed: a factor 2 is "
               f"missing or extra where {name} is used (the derivative of a square brings "
               "a 2; an average halves).")  # fmt: skip
    for fixed in (0.0, 1.0):
        if value != fixed:
            yield (fixed, "modified_input", f"{name} ignored",
                   f"your answer is the right one for {name} = {fixed:g}: {name} is not "
                   "used where it should be.")  # fmt: skip


def _swaps(inputs: Inputs, alike, advice: str):
    """Two positional inputs of the same kind (and shape) exchanged."""
    named = inputs.named()[: len(inputs.args)]
    chosen = [(i, n, v) for i, (n, v) in enumerate(named) if alike(v) and not isinstance(v, bool)]
    for a, (i, name_i, v_i) in enumerate(chosen):
        for j, name_j, v_j in chosen[a + 1 :]:
            if np.shape(v_i) != np.shape(v_j):
                continue
            args = list(inputs.args)
            args[i], args[j] = args[j], args[i]
            yield (tuple(args), dict(inputs.kwargs), "modified_input",
                   f"{name_i} and {name_j} swapped",
                   f"your answer is the right one with {name_i} and {name_j} swapped: "
                   + advice)  # fmt: skip


def _modified_input(got, inputs: Inputs, reference_at, budget: _Budget):
    for count, (args, kwargs, kind, label, sentence) in enumerate(_variants(inputs)):
        if count >= MAX_VARIANTS or not budget.left():
            return None
        try:
            predicted = plain(reference_at(args, kwargs))
            if non_finite(predicted) is not None:
                continue  # a changed input the reference cannot answer finitely
            # Tighter than a check: a changed input that hardly changes the answer (a
            # learning rate of 0 when the right step is tiny) must not look like a match.
            agrees = compare(got, predicted, 1e-9, 1e-12) is None
        except Exception as exc:
            reraise_task_limit(exc)
            continue
        if agrees:
            return Diagnosis(kind, label, sentence[0].upper() + sentence[1:])
    return None


def _right_on_simpler(inputs: Inputs, reference_at, student_at, budget: _Budget):
    """Ask the student's code about a simpler input: the same numbers as 1-D arrays, or
    an integer input (t, steps) set to 1. Right there and wrong here names the bug."""
    tries: list[tuple[tuple, dict, Diagnosis]] = []
    named = inputs.named()
    matrices = [i for i, (_, v) in enumerate(named) if isinstance(v, np.ndarray) and v.ndim >= 2]
    arrays = [v for _, v in named if isinstance(v, np.ndarray)]
    if matrices and len({v.shape for v in arrays}) == 1:
        args = tuple(np.ravel(a) if isinstance(a, np.ndarray) else a for a in inputs.args)
        kwargs = {
            k: np.ravel(v) if isinstance(v, np.ndarray) else v for k, v in inputs.kwargs.items()
        }
        tries.append((args, kwargs, Diagnosis(
            "matrices",
            "right for 1-D, wrong for matrices",
            "Your code is right for 1-D arrays and wrong for 2-D ones with the same numbers: "
            "something assumes one axis (len() instead of .size, a sum over one axis, a "
            "loop over rows only); make it work over every entry.",
        )))  # fmt: skip
    for index, (name, value) in enumerate(named):
        if isinstance(value, int | np.integer) and not isinstance(value, bool) and int(value) >= 2:
            if index >= len(inputs.args):
                continue
            simpler = list(inputs.args)
            simpler[index] = type(value)(1)
            advice = (
                f"look at how {name} enters your code: an offset (counting from 0 or 1), "
                "a division by it, a loop over it, what happens at its end."
            )
            tries.append((tuple(simpler), dict(inputs.kwargs), Diagnosis(
                "first_step_only",
                f"right only at {name} = 1",
                f"Your answer is right for {name} = 1 and wrong for {name} = {int(value)}: "
                + advice,
            )))  # fmt: skip
    for args, kwargs, diagnosis in tries[:MAX_STUDENT_CALLS]:
        if not budget.left():
            return None
        try:
            expected = plain(reference_at(args, kwargs))
        except Exception as exc:
            reraise_task_limit(exc)
            continue
        try:
            answer = student_at(args, kwargs)
        except NoAnswer:
            continue
        except Exception as exc:
            raise _Propagate(exc) from exc
        try:
            answer = plain(answer)
        except Exception:
            continue
        try:
            agrees = compare(answer, expected, 1e-6, 1e-8) is None
        except Exception:
            continue
        if agrees:
            return diagnosis
    return None


__all__ = [
    "CALL_S",
    "Diagnosis",
    "Inputs",
    "NoAnswer",
    "TooSlow",
    "call_within",
    "diagnose",
    "reraise_task_limit",
]
