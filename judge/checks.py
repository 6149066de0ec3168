"""The checks library exercise authors write ``checks.py`` with.

Every check runs on the trusted side. It builds inputs with a ``case`` function (see
``judge.draw``), hands them to two *drivers* — the student's code in the sandbox and
the reference solution in this process — and judges what comes back. Expected values
never enter the sandbox; the student only ever sees its own inputs.

A ``checks.py`` defines ``CHECKS``, a list of these:

- ``ReferenceCheck``: same answer as the reference on randomized inputs; on failure the
  input is shrunk (Hypothesis) to the smallest one that still fails, and the failing
  output is matched against the exercise's known-mistake variants for a targeted hint.
- ``PropertyCheck``: a property of the student's output alone (lr = 0 changes nothing,
  clipping keeps the direction...).
- ``GradientCheck``: the student's gradient against central finite differences of a loss.
- ``NoMutationCheck``: the student's function leaves its array inputs as they were.
- ``ScenarioCheck``: drive objects or several calls (a ``Value`` graph, an optimizer
  loop) identically on both sides and compare what was observed.
- ``Figure``: no points; runs a scenario on both sides and keeps the data for a plot
  (an optimizer's path against the reference's).

The observe/scenario functions take a driver with ``call(name_or_handle, *args,
**kwargs)``, ``method(obj, name, *args)``, ``getattr(obj, name)`` and ``op(name, a, b)``,
so one function describes what to do to either side.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky, NoSuchExample

from sandbox import RunEnded, testfns

from .compare import compare, plain, summarize
from .draw import HypothesisDraw, RandomDraw


class StudentError(Exception):
    """The student's code raised; ``error`` holds type, message and its own traceback."""

    def __init__(self, error: dict):
        self.error = error
        super().__init__(f"{error.get('type', 'Exception')}: {error.get('message', '')}")


class ExerciseBroken(Exception):
    """The reference itself failed: an authoring bug, never the student's fault."""


class _OutOfBudget(Exception):
    pass


def test_function(name: str, *, gradient: bool = False, **params):
    """A named function from ``sandbox.testfns`` to hand to the student's code (``f`` for
    numerical gradients; with ``gradient=True`` its gradient, the ``grad_fn`` of gradient
    descent). Both sides build the same function from the name and parameters."""
    return testfns.ref(f"{name}.grad" if gradient else name, **params)


@dataclass
class Call:
    args: tuple
    kwargs: dict = field(default_factory=dict)

    @classmethod
    def of(cls, value) -> Call:
        if isinstance(value, Call):
            return value
        if isinstance(value, tuple):
            return cls(value)
        return cls((value,))

    def summary(self):
        shown: dict[str, Any] = {f"arg{i + 1}": summarize(a) for i, a in enumerate(self.args)}
        shown.update({k: summarize(v) for k, v in self.kwargs.items()})
        return shown


def call(*args, **kwargs) -> Call:
    return Call(args, kwargs)


@dataclass
class CheckResult:
    name: str
    passed: bool
    points: float
    earned: float
    message: str = ""
    failing_input: dict | None = None
    shrunk: bool = False
    mistake: str | None = None
    error: dict | None = None
    figure: dict | None = None
    # The failing input is a random case and a smaller one is yet to be looked for
    # (Context.defer_shrink); `Check.refine` looks for it later.
    refine: bool = False

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "passed": self.passed,
            "points": self.points,
            "earned": self.earned,
            "message": self.message,
            "failing_input": self.failing_input,
            "shrunk": self.shrunk,
            "mistake": self.mistake,
            "error": self.error,
            "figure": self.figure,
            "refine": self.refine,
        }


@dataclass
class Context:
    """What a check needs to run: both drivers, the known mistakes, randomness, budget."""

    entry: str
    student: Any
    reference: Any
    mistakes: list  # [(KnownMistake, driver)]
    rng: np.random.Generator
    shrink_seconds: float = 2.0
    shrink_examples: int = 150
    # Report a failure on its random case at once and leave the search for the smallest
    # failing input to `Check.refine` in a later run: shrinking is over 90% of the time a
    # wrong submission takes to grade, and the verdict need not wait for it. Figures,
    # worth no points, are drawn in that later run too.
    defer_shrink: bool = False
    # The student's answers to a check's drawn cases, asked for in one round trip before
    # the check judges them one by one (see `_CaseCheck._prefetch`), keyed by id(Call).
    prefetched: dict = field(default_factory=dict)


@dataclass
class _Answer:
    value: Any = None
    error: dict | None = None
    args: list | None = None


@dataclass
class _Failure:
    message: str
    call: Call
    student_out: Any = None
    error: dict | None = None


def _default_observe(entry: str):
    def observe(driver, c: Call):
        return driver.call(entry, *c.args, **c.kwargs)

    return observe


def _trusted(fn, *args):
    try:
        return fn(*args)
    except StudentError:
        raise
    except Exception as exc:
        raise ExerciseBroken(f"the reference failed: {type(exc).__name__}: {exc}") from exc


class Check:
    name: str
    points: float

    def run(self, ctx: Context) -> CheckResult:  # pragma: no cover - interface
        raise NotImplementedError

    def refine(self, ctx: Context) -> CheckResult | None:
        """The result on the smallest failing input found, or None if none was found."""
        return None

    def _result(self, failure: _Failure | None, **extra) -> CheckResult:
        if failure is None:
            return CheckResult(self.name, True, self.points, self.points, **extra)
        return CheckResult(
            self.name,
            False,
            self.points,
            0.0,
            message=failure.message,
            failing_input=failure.call.summary(),
            error=failure.error,
            **extra,
        )


class _CaseCheck(Check):
    """Shared loop: draw cases, look for a failure, shrink it, match known mistakes."""

    cases: int
    shrink: bool = True

    def __init__(self, name, case, *, cases=20, points=1.0, observe=None, shrink=True):
        self.name = name
        self.case = case
        self.cases = cases
        self.points = points
        self.observe = observe
        self.shrink = shrink

    def fails(self, ctx: Context, c: Call) -> _Failure | None:  # pragma: no cover
        raise NotImplementedError

    def _observe(self, ctx: Context):
        return self.observe or _default_observe(ctx.entry)

    def _student(self, ctx: Context, c: Call) -> tuple[Any, _Failure | None]:
        try:
            answer = ctx.prefetched.pop(id(c), None)
            if answer is None:
                return self._observe(ctx)(ctx.student, c), None
            if answer.error is not None:
                raise StudentError(answer.error)
            return answer.value, None
        except StudentError as exc:
            message = f"your code raised {exc.error.get('type', 'an exception')}: {exc.error.get('message', '')}"
            return None, _Failure(message, c, error=exc.error)
        except RunEnded:
            raise
        except Exception as exc:
            # The observe function ran fine on the reference (the self-check proves it),
            # so failing on the student's results means they are not of the right form.
            return None, _Failure(_malformed(exc), c)

    def run(self, ctx: Context) -> CheckResult:
        draw = RandomDraw(ctx.rng)
        calls = [Call.of(self.case(draw)) for _ in range(self.cases)]
        self._prefetch(ctx, calls)
        try:
            for c in calls:
                failure = self.fails(ctx, c)
                if failure is not None:
                    return self._report(ctx, failure)
        finally:
            ctx.prefetched.clear()
        return self._result(None)

    keeps_args = False

    def _prefetch(self, ctx: Context, calls: list[Call]) -> None:
        """Ask the student's code for all its answers at once when a check only calls the
        entry point once per case: one round trip into the sandbox instead of one per
        case. Checks with their own observe function, and calls that pass test
        functions, go one call at a time."""
        batch = getattr(ctx.student, "call_many", None)
        if batch is None or len(calls) < 2 or self.observe is not None:
            return
        if type(self)._observe is not _CaseCheck._observe:
            return
        try:
            answers = batch(ctx.entry, calls, keeping_args=self.keeps_args)
        except ValueError:
            return
        ctx.prefetched = {id(c): a for c, a in zip(calls, answers, strict=False)}

    def _report(self, ctx: Context, failure: _Failure) -> CheckResult:
        # Known mistakes are matched on the random failing case, not the shrunk one:
        # shrunk inputs are degenerate (a single element, zeros) and many different
        # bugs agree on them.
        mistake = self._match_mistake(ctx, failure)
        shrunk = False
        if self.shrink and not ctx.defer_shrink:
            smaller = self._shrink(ctx)
            if smaller is not None:
                failure, shrunk = smaller, True
        result = self._result(failure, shrunk=shrunk)
        result.refine = self.shrink and ctx.defer_shrink
        if mistake is not None:
            result.mistake = mistake.slug
        return result

    def refine(self, ctx: Context) -> CheckResult | None:
        smaller = self._shrink(ctx) if self.shrink else None
        return None if smaller is None else self._result(smaller, shrunk=True)

    def _shrink(self, ctx: Context) -> _Failure | None:
        """Ask Hypothesis for the smallest input that still fails, within a budget."""
        started = time.monotonic()
        found: list[_Failure] = []

        @st.composite
        def calls(draw_fn):
            return Call.of(self.case(HypothesisDraw(draw_fn)))

        ended: list[RunEnded] = []

        def still_fails(c: Call) -> bool:
            if time.monotonic() - started > ctx.shrink_seconds:
                raise _OutOfBudget
            if ended:
                return False
            try:
                failure = self.fails(ctx, c)
            except RunEnded as exc:
                # The student's process is gone (a crash, a forged frame): nothing more
                # can be asked of it. Raising here would look to Hypothesis like a flaky
                # test; answering "does not fail" lets it wind down on what it has.
                ended.append(exc)
                return False
            if failure is not None:
                found.append(failure)
            return failure is not None

        try:
            minimal = find(
                calls(),
                still_fails,
                settings=settings(
                    max_examples=ctx.shrink_examples,
                    deadline=None,
                    database=None,
                    derandomize=True,
                    phases=[Phase.generate, Phase.shrink],
                    suppress_health_check=list(HealthCheck),
                ),
            )
        except (NoSuchExample, _OutOfBudget, Flaky):
            # Flaky: the run ended between finding a failure and Hypothesis replaying it.
            minimal = None
        if ended:
            raise ended[0]
        if minimal is None:
            return found[-1] if found else None
        return self.fails(ctx, minimal) or (found[-1] if found else None)

    def _match_mistake(self, ctx: Context, failure: _Failure, confirmations: int = 2):
        """The first known mistake whose output equals the student's on the failing case
        and on a few fresh cases too, so one coincidence is not enough."""
        if failure.error is not None or failure.student_out is None:
            return None
        observe = self._observe(ctx)
        fresh = [Call.of(self.case(RandomDraw(ctx.rng))) for _ in range(confirmations)]
        for mistake, driver in ctx.mistakes:
            if not self._agrees(observe, driver, failure.call, failure.student_out):
                continue
            try:
                if all(self._agrees(observe, driver, c, observe(ctx.student, c)) for c in fresh):
                    return mistake
            except StudentError:
                return None
        return None

    @staticmethod
    def _agrees(observe, driver, c: Call, student_out) -> bool:
        try:
            predicted = plain(observe(driver, c))
        except Exception:
            return False
        return compare(plain(student_out), predicted, 1e-6, 1e-8) is None


class ReferenceCheck(_CaseCheck):
    """``outputs`` names the parts of a tuple result, so a message says "in m" rather
    than "in item 1"."""

    def __init__(
        self,
        name,
        case,
        *,
        cases=20,
        points=1.0,
        rtol=1e-6,
        atol=1e-8,
        observe=None,
        shrink=True,
        outputs=(),
    ):
        super().__init__(name, case, cases=cases, points=points, observe=observe, shrink=shrink)
        self.rtol = rtol
        self.atol = atol
        self.outputs = tuple(outputs)

    def fails(self, ctx: Context, c: Call) -> _Failure | None:
        got, failure = self._student(ctx, c)
        if failure:
            return failure
        expected = plain(_trusted(self._observe(ctx), ctx.reference, c))
        message = compare(got, expected, self.rtol, self.atol)
        if message is None:
            return None
        for index, output in enumerate(self.outputs):
            message = message.replace(f"item {index}", output)
        return _Failure(message, c, student_out=got)


class PropertyCheck(_CaseCheck):
    """``holds(call, output)`` returns None when the property holds, else what is wrong."""

    def __init__(
        self, name, case, holds: Callable, *, cases=10, points=1.0, observe=None, shrink=True
    ):
        super().__init__(name, case, cases=cases, points=points, observe=observe, shrink=shrink)
        self.holds = holds

    def fails(self, ctx: Context, c: Call) -> _Failure | None:
        got, failure = self._student(ctx, c)
        if failure:
            return failure
        try:
            problem = self.holds(c, got)
        except Exception as exc:
            # holds() only ever sees the student's output: a crash there is its form.
            problem = _malformed(exc)
        return None if problem is None else _Failure(problem, c, student_out=got)


def central_differences(
    loss: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6
) -> np.ndarray:
    grad = np.zeros_like(x, dtype=np.float64)
    probe = x.astype(np.float64).copy()
    for index in np.ndindex(x.shape):
        step = h * max(1.0, abs(float(x[index])))
        original = probe[index]
        probe[index] = original + step
        up = loss(probe)
        probe[index] = original - step
        down = loss(probe)
        probe[index] = original
        grad[index] = (up - down) / (2 * step)
    return grad


class GradientCheck(_CaseCheck):
    """The student's gradient (``grad_of(output)``) against central differences of
    ``loss(call, x)`` in the argument ``wrt``; ``loss`` runs on the trusted side."""

    def __init__(
        self,
        name,
        case,
        loss,
        *,
        wrt=0,
        grad_of=None,
        cases=5,
        points=1.0,
        rtol=1e-4,
        atol=1e-6,
        observe=None,
    ):
        super().__init__(name, case, cases=cases, points=points, observe=observe, shrink=True)
        self.loss = loss
        self.wrt = wrt
        self.grad_of = grad_of or (lambda out: out)
        self.rtol = rtol
        self.atol = atol

    def fails(self, ctx: Context, c: Call) -> _Failure | None:
        got, failure = self._student(ctx, c)
        if failure:
            return failure
        try:
            grad = self.grad_of(got)
        except Exception:
            return _Failure(
                "the output does not contain a gradient where expected", c, student_out=got
            )
        x = np.asarray(c.args[self.wrt], dtype=np.float64)

        def loss_at(point):
            args = list(c.args)
            args[self.wrt] = point
            return float(self.loss(Call(tuple(args), c.kwargs)))

        numeric = _trusted(central_differences, loss_at, x)
        message = compare(grad, numeric, self.rtol, self.atol)
        if message is None:
            return None
        return _Failure(
            f"gradient does not match finite differences: {message}", c, student_out=got
        )


class NoMutationCheck(_CaseCheck):
    """Calls through ``driver.call_keeping_args`` and compares the arguments after the call."""

    keeps_args = True

    def __init__(self, name, case, *, cases=5, points=1.0):
        super().__init__(name, case, cases=cases, points=points, shrink=False)

    def fails(self, ctx: Context, c: Call) -> _Failure | None:
        before = [np.array(a, copy=True) if isinstance(a, np.ndarray) else None for a in c.args]
        try:
            answer = ctx.prefetched.pop(id(c), None)
            if answer is None:
                _, after = ctx.student.call_keeping_args(ctx.entry, *c.args, **c.kwargs)
            elif answer.error is not None:
                raise StudentError(answer.error)
            else:
                after = answer.args or []
        except StudentError as exc:
            return _Failure(
                f"your code raised {exc.error.get('type')}: {exc.error.get('message', '')}",
                c,
                error=exc.error,
            )
        for index, (b, a) in enumerate(zip(before, after, strict=False)):
            if b is None or a is None:
                continue
            if b.shape != np.shape(a) or not np.array_equal(b, a, equal_nan=True):
                return _Failure(
                    f"argument {index + 1} was modified in place; work on a copy (np.array(x, copy=True))",
                    c,
                )
        return None


class ScenarioCheck(_CaseCheck):
    """``scenario(driver, data)`` drives either side and returns what it observed; the two
    observations must agree. ``case`` builds ``data`` (any value)."""

    def __init__(
        self, name, case, scenario, *, cases=10, points=1.0, rtol=1e-6, atol=1e-8, shrink=True
    ):
        super().__init__(name, case, cases=cases, points=points, shrink=shrink)
        self.scenario = scenario
        self.rtol = rtol
        self.atol = atol

    def _observe(self, ctx: Context):
        return lambda driver, c: self.scenario(driver, *c.args, **c.kwargs)

    def fails(self, ctx: Context, c: Call) -> _Failure | None:
        got, failure = self._student(ctx, c)
        if failure:
            return failure
        expected = plain(_trusted(self._observe(ctx), ctx.reference, c))
        message = compare(plain(got), expected, self.rtol, self.atol)
        return None if message is None else _Failure(message, c, student_out=plain(got))


class Figure(Check):
    """Worth no points: keeps plot data from a scenario run on both sides, e.g.
    ``{"path": [[x, y], ...], "loss": [...]}``, plus the test function drawn under it."""

    def __init__(self, name, data, scenario, *, kind="trajectory", surface=None):
        self.name = name
        self.data = data
        self.scenario = scenario
        self.kind = kind
        self.surface = surface
        self.points = 0.0

    def run(self, ctx: Context) -> CheckResult:
        if ctx.defer_shrink:
            # Worth no points, so not part of the verdict: drawn afterwards with the
            # smallest failing inputs (`refine`).
            return CheckResult(self.name, True, 0.0, 0.0, refine=True)
        return self.refine(ctx)

    def refine(self, ctx: Context) -> CheckResult:
        args = self.data if isinstance(self.data, tuple) else (self.data,)
        figure: dict[str, Any] = {"kind": self.kind, "title": self.name}
        if self.surface is not None:
            figure["surface"] = {
                "name": self.surface.name,
                "params": summarize(self.surface.params, 64),
            }
        figure["reference"] = _jsonable(_trusted(self.scenario, ctx.reference, *args))
        try:
            figure["student"] = _jsonable(self.scenario(ctx.student, *args))
        except StudentError as exc:
            figure["student"] = None
            figure["student_error"] = exc.error.get("type")
        except RunEnded:
            raise
        except Exception as exc:
            # The student's results did not have the form the plot needs.
            figure["student"] = None
            figure["student_error"] = type(exc).__name__
        return CheckResult(self.name, True, 0.0, 0.0, figure=figure)


def _malformed(exc: Exception) -> str:
    return f"your result does not have the expected form ({type(exc).__name__}: {exc})"


def _jsonable(value):
    value = plain(value)
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()] if value.ndim else _jsonable(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


__all__ = [
    "Call",
    "Check",
    "CheckResult",
    "Context",
    "ExerciseBroken",
    "Figure",
    "GradientCheck",
    "NoMutationCheck",
    "PropertyCheck",
    "ReferenceCheck",
    "ScenarioCheck",
    "StudentError",
    "call",
    "central_differences",
    "test_function",
]
