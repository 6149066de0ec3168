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
from sandbox.text import clean_text

from .compare import compare, non_finite, plain, summarize
from .diagnose import CALL_S, Inputs, NoAnswer, call_within, diagnose, reraise_task_limit
from .draw import HypothesisDraw, RandomDraw

# A message is read by a person: anything longer is cut, and what came out of the jail in
# it (a key, a str) is clean text already (the codec cleans every string it decodes).
MESSAGE_CHARS = 1000


def shown_text(text: str, cap: int = MESSAGE_CHARS) -> str:
    text = clean_text(text)
    return text if len(text) <= cap else text[: cap - 1] + "…"


class StudentError(Exception):
    """The student's code raised; ``error`` holds type, message and its own traceback."""

    def __init__(self, error: dict):
        self.error = error
        super().__init__(f"{error.get('type', 'Exception')}: {error.get('message', '')}")


class AnswerRefused(StudentError):
    """The student's answer is too large, or not of the form, for the trusted side to look
    at: a failed check (or an empty figure) whose message says why, not an exception of
    the student's code."""

    def __init__(self, message: str):
        super().__init__({"type": "AnswerRefused", "message": message})
        self.message = message


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
    # Data only the trusted side sees: a held-out set a property scores the student's
    # answer on. Never passed to the student's code (observe functions pass args and
    # kwargs), never part of the failing input shown (summary).
    held_out: Any = field(default=None, repr=False, compare=False)

    def holding_out(self, *data) -> Call:
        return Call(self.args, self.kwargs, held_out=data)

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
    # Feedback only: judged from what the jail reports about the student's code, so it
    # earns nothing and never changes the verdict (NoMutationCheck).
    advisory: bool = False
    # What the wrong answer's relation to the right one suggests ({kind, label, message},
    # judge.diagnose), when no known mistake matched.
    diagnosis: dict | None = None
    # Failed on an answer compared with the reference's (not a property, a form, a mix of
    # conventions): where the exercise's convention is worth saying. Not stored.
    compared: bool = False

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "passed": self.passed,
            "points": self.points,
            "earned": self.earned,
            "message": shown_text(self.message),
            "failing_input": self.failing_input,
            "shrunk": self.shrunk,
            "mistake": self.mistake,
            "error": self.error,
            "figure": self.figure,
            "refine": self.refine,
            "advisory": self.advisory,
            "diagnosis": self.diagnosis,
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
    # The entry's parameter names and default values, so a diagnosis can say "lr".
    params: list = field(default_factory=list)
    defaults: dict = field(default_factory=dict)
    # Diagnoses that need to ask the student's code about a simpler input: run by the
    # engine once every check has run, so a run that ends on one changes no check.
    later: list = field(default_factory=list)
    # The other conventions the statement allows [(AcceptedConvention, driver)], and the
    # one this submission follows once an answer agreed with it and not the reference:
    # from then on only that one (a submission follows one convention throughout).
    accepted: list = field(default_factory=list)
    following: str | None = None
    # Until then, the answers that agreed with the reference [(observe, Call, answer)]
    # (at most AGREED_KEPT): a convention is followed only if they agree with it too.
    agreed: list = field(default_factory=list)


@dataclass
class _Answer:
    value: Any = None
    error: dict | None = None
    args: list | None = None
    refused: str | None = None  # why the trusted side would not look at the value


@dataclass
class _Failure:
    message: str
    call: Call
    student_out: Any = None
    error: dict | None = None
    expected: Any = None  # the reference's answer, when the check asked for it
    compared: bool = False  # failed on a comparison with a right answer (see CheckResult)


AGREED_KEPT = 64


def _parts(c: Call) -> tuple:
    return c.args, c.kwargs


def _agrees_with(observe, driver, c: Call, got, rtol: float, atol: float) -> bool:
    try:
        other = plain(observe(driver, c))
    except Exception:
        return False
    return compare(got, other, rtol, atol) is None


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
    advisory = False

    def run(self, ctx: Context) -> CheckResult:  # pragma: no cover - interface
        raise NotImplementedError

    def refine(self, ctx: Context) -> CheckResult | None:
        """The result on the smallest failing input found, or None if none was found."""
        return None

    def _result(self, failure: _Failure | None, **extra) -> CheckResult:
        extra.setdefault("advisory", self.advisory)
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
            compared=failure.compared or failure.expected is not None,
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

    def _follows_accepted(self, ctx: Context, c: Call, got, rtol: float, atol: float) -> bool:
        """The answer agrees with a convention the statement allows besides the
        reference's (asked of that solution, in this process, on the same input), and
        so did every earlier answer: one convention per submission, not a mix."""
        observe = self._observe(ctx)
        for convention, driver in ctx.accepted:
            if ctx.following not in (None, convention.title):
                continue
            if not _agrees_with(observe, driver, c, got, rtol, atol):
                continue
            if ctx.following is None and not all(
                _agrees_with(seen, driver, call_, answer, rtol, atol)
                for seen, call_, answer in ctx.agreed
            ):
                continue
            ctx.following = convention.title
            return True
        return False

    def _agreed_with_reference(self, ctx: Context, c: Call, got, rtol: float, atol: float):
        """None, or why an answer that agrees with the reference breaks the convention the
        submission follows elsewhere. Only asked on exercises that accept another."""
        if not ctx.accepted:
            return None
        observe = self._observe(ctx)
        if ctx.following is None:
            if len(ctx.agreed) < AGREED_KEPT:
                ctx.agreed.append((observe, c, got))
            return None
        driver = next(d for a, d in ctx.accepted if a.title == ctx.following)
        if _agrees_with(observe, driver, c, got, rtol, atol):
            return None
        return (
            f"this answer follows the reference's convention, and others follow "
            f"{ctx.following}: either is accepted, but one throughout"
        )

    def _student(self, ctx: Context, c: Call) -> tuple[Any, _Failure | None]:
        try:
            answer = ctx.prefetched.pop(id(c), None)
            if answer is None:
                return self._observe(ctx)(ctx.student, c), None
            if answer.refused is not None:
                raise AnswerRefused(answer.refused)
            if answer.error is not None:
                raise StudentError(answer.error)
            return answer.value, None
        except AnswerRefused as exc:
            return None, _Failure(exc.message, c)
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
        # Known mistakes (and, failing those, a diagnosis) are matched on the random
        # failing case, not the shrunk one: shrunk inputs are degenerate (a single
        # element, zeros) and many different bugs agree on them.
        mistake = self._match_mistake(ctx, failure)
        random_case = failure
        shrunk = False
        if self.shrink and not ctx.defer_shrink:
            # The search tries inputs that decide nothing: what it would pin about the
            # convention followed (accepts) is put back as it was.
            following, agreed = ctx.following, list(ctx.agreed)
            smaller = self._shrink(ctx)
            ctx.following, ctx.agreed = following, agreed
            if smaller is not None:
                failure, shrunk = smaller, True
        result = self._result(failure, shrunk=shrunk)
        result.refine = self.shrink and ctx.defer_shrink
        if mistake is not None:
            result.mistake = mistake.slug
        else:
            self._diagnose(ctx, random_case, result)
        return result

    outputs: tuple = ()

    def _names_known(self) -> bool:
        """The check calls the entry point with the case as its arguments, so they are
        the entry's parameters (a custom observe function makes them its own data)."""
        return self.observe is None and type(self)._observe is _CaseCheck._observe

    def _diagnose(self, ctx: Context, failure: _Failure, result: CheckResult) -> None:
        """Queue the naming of the relation between the wrong answer and the right one
        (judge.diagnose) in ``ctx.later``: the engine runs it once every check has run,
        since it may ask the student's code about a simpler input or a fresh case, and a
        run that ends there must change no check."""
        if failure.error is not None or failure.student_out is None:
            return
        observe = self._observe(ctx)
        names_known = self._names_known()

        def reference_at(args, kwargs):
            return observe(ctx.reference, Call(args, kwargs))

        def student_at(args, kwargs):
            try:
                return observe(ctx.student, Call(args, kwargs))
            except StudentError as exc:
                raise NoAnswer(str(exc)) from exc

        def at(c: Call, got, expected):
            inputs = (
                Inputs(c.args, c.kwargs, ctx.params, ctx.defaults)
                if names_known
                else Inputs((), {}, [], {})
            )
            return diagnose(
                plain(got),
                expected,
                inputs,
                outputs=self.outputs,
                reference_at=reference_at,
                student_at=student_at if names_known else None,
            )

        def finish():
            expected = failure.expected
            if expected is None:  # a property or gradient check: ask the reference now
                try:
                    expected = plain(call_within(CALL_S, reference_at, *_parts(failure.call)))
                except Exception as exc:
                    reraise_task_limit(exc)
                    return
            found = at(failure.call, failure.student_out, expected)
            if found is not None and found.tentative:
                found = found if self._confirmed(ctx, at) else None
            if found is not None:
                result.diagnosis = found.to_dict()

        ctx.later.append(finish)

    def _confirmed(self, ctx: Context, at, fresh: int = 4) -> bool:
        """A relation found on an answer of one or two numbers is not alone: on fresh
        cases where the student's answer is wrong (at least one among ``fresh`` drawn),
        some relation holds too. One coincidence is not a diagnosis."""
        observe = self._observe(ctx)
        seen = 0
        for _ in range(fresh):
            c = Call.of(self.case(RandomDraw(ctx.rng)))
            try:
                got = plain(observe(ctx.student, c))
                expected = plain(call_within(CALL_S, observe, ctx.reference, c))
            except StudentError:
                return False
            except Exception as exc:
                reraise_task_limit(exc)
                continue  # a case the reference does not answer in time: draw another
            if compare(got, expected, 1e-6, 1e-8) is None:
                continue
            # Some relation again. Not necessarily the same: a division by the rows is
            # off by a factor D in 2-D and "right only for 1-D" in 3-D, both true; a
            # coincidence (a mean absolute error is the root of a mean squared one on
            # one entry) finds nothing on a fresh case of several entries.
            if at(c, got, expected) is None:
                return False
            seen += 1
            if seen == 2:
                return True
        return seen > 0

    def refine(self, ctx: Context) -> CheckResult | None:
        smaller = self._shrink(ctx) if self.shrink else None
        return None if smaller is None else self._result(smaller, shrunk=True)

    def _shrink(self, ctx: Context) -> _Failure | None:
        """Ask Hypothesis for the smallest input that still fails, within a budget."""
        started = time.monotonic()
        # Only the latest failure is kept: each holds the student's output, which may be
        # as large as the result cap, and a search tries up to `shrink_examples` inputs.
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
                found[:] = [failure]
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
        return _agrees_with(observe, driver, c, plain(student_out), 1e-6, 1e-8)


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
            mixed = self._agreed_with_reference(ctx, c, got, self.rtol, self.atol)
            return None if mixed is None else _Failure(mixed, c)
        if self._follows_accepted(ctx, c, got, self.rtol, self.atol):
            return None
        for index, output in enumerate(self.outputs):
            message = message.replace(f"item {index}", output)
        return _Failure(message, c, student_out=got, expected=expected)


class PropertyCheck(_CaseCheck):
    """``holds(call, output)`` returns None when the property holds, else what is wrong.
    With ``with_reference=True`` it is ``holds(call, output, reference_output)``, for a
    property measured against what the reference reaches (a held-out accuracy, say)."""

    def __init__(
        self,
        name,
        case,
        holds: Callable,
        *,
        cases=10,
        points=1.0,
        observe=None,
        shrink=True,
        with_reference=False,
    ):
        super().__init__(name, case, cases=cases, points=points, observe=observe, shrink=shrink)
        self.holds = holds
        self.with_reference = with_reference

    def fails(self, ctx: Context, c: Call) -> _Failure | None:
        got, failure = self._student(ctx, c)
        if failure:
            return failure
        problem = _non_finite_where_reference_finite(self._observe(ctx), ctx.reference, c, got)
        if problem is None:
            extra: tuple = ()
            if self.with_reference:
                extra = (plain(_trusted(self._observe(ctx), ctx.reference, c)),)
            try:
                problem = self.holds(c, got, *extra)
            except Exception as exc:
                # holds() only ever sees the student's output: a crash there is its form.
                problem = _malformed(exc)
        return None if problem is None else _Failure(problem, c, student_out=got)


def _non_finite_where_reference_finite(observe, reference, c: Call, got) -> str | None:
    """A property compares the student's output with itself (f(2x) = 4 f(x)), and inf
    satisfies most such relations. An answer is held to the reference's finiteness: where
    the reference gives only finite numbers on this input, a NaN or inf fails outright."""
    where = non_finite(plain(got))
    if where is None:
        return None  # the usual case: the reference need not be asked
    try:
        expected = plain(observe(reference, c))
    except Exception:
        return None  # the property's cases need not all suit the reference
    if non_finite(expected) is None:
        return f"non-finite value {where} where the reference's answer is finite"
    return None


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
            f"gradient does not match finite differences: {message}",
            c,
            student_out=got,
            compared=True,
        )


class NoMutationCheck(_CaseCheck):
    """Calls through ``driver.call_keeping_args`` and compares the arguments after the call.

    Advisory: worth no points, and its failure does not change the verdict. The arguments
    "after the call" are reported by the runner, which shares its process with the
    student's code; a submission can rewrite that report, so it is feedback, never a fact
    the trusted side established."""

    keeps_args = True
    advisory = True

    def __init__(self, name, case, *, cases=5, **unexpected):
        if "points" in unexpected:
            raise TypeError(
                "NoMutationCheck earns no points: what the jail reports about the arguments "
                "after a call is the student's claim, so it can only be feedback"
            )
        if unexpected:
            raise TypeError(f"unexpected arguments: {', '.join(sorted(unexpected))}")
        super().__init__(name, case, cases=cases, points=0.0, shrink=False)

    def fails(self, ctx: Context, c: Call) -> _Failure | None:
        before = [np.array(a, copy=True) if isinstance(a, np.ndarray) else None for a in c.args]
        try:
            answer = ctx.prefetched.pop(id(c), None)
            if answer is None:
                _, after = ctx.student.call_keeping_args(ctx.entry, *c.args, **c.kwargs)
            elif answer.refused is not None:
                return _Failure(answer.refused, c)
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
        if message is None:
            mixed = self._agreed_with_reference(ctx, c, plain(got), self.rtol, self.atol)
            return None if mixed is None else _Failure(mixed, c)
        if self._follows_accepted(ctx, c, plain(got), self.rtol, self.atol):
            return None
        return _Failure(message, c, student_out=plain(got), expected=expected)


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
        except AnswerRefused as exc:
            figure["student"] = None
            figure["student_problem"] = exc.message
        except StudentError as exc:
            figure["student"] = None
            figure["student_error"] = exc.error.get("type")
        except RunEnded:
            raise
        except FigureTooLarge as exc:
            figure["student"] = None
            figure["student_problem"] = f"your code's results are too large to draw: {exc}"
        except Exception as exc:
            # The student's results did not have the form the plot needs.
            figure["student"] = None
            figure["student_error"] = type(exc).__name__
        return CheckResult(self.name, True, 0.0, 0.0, figure=figure)


def arrays_like(out, like: np.ndarray, names: tuple[str, ...], entry: str):
    """``(out, None)`` when ``out`` is a tuple or list of ``len(names)`` arrays shaped like
    ``like``, else ``(None, what is wrong)``: the form check every optimizer step's
    properties start with, before they compute anything from the answer."""
    if not isinstance(out, tuple | list) or len(out) != len(names):
        return None, f"{entry} must return a {_tuple_word(len(names))} ({', '.join(names)})"
    for name, value in zip(names, out, strict=True):
        if not isinstance(value, np.ndarray) or value.shape != like.shape:
            shape = value.shape if isinstance(value, np.ndarray) else type(value).__name__
            return None, f"{name} must be an array shaped like w {like.shape}, not {shape}"
    return tuple(out), None


def _tuple_word(n: int) -> str:
    return {2: "pair", 3: "triple"}.get(n, f"tuple of {n}")


def optimizer_path(
    driver, entry, surface, start, steps, *, state=1, counts_steps=False, args=(), **kwargs
) -> dict:
    """A Figure scenario for a one-step optimizer
    ``entry(w, grad, *state[, t], *args, **kwargs) -> (w, *state)``: from ``start`` with
    every state array at zero, ``steps`` steps on the named test surface
    (``test_function``), ``t`` counted from 1 when ``counts_steps``. Returns
    ``{"path": [...], "loss": [...]}``. A step whose answer is not ``state + 1`` arrays
    shaped like ``start`` is AnswerRefused: the figure then says why there is no path."""
    built = testfns.build(surface)
    if not isinstance(built, testfns.TestFunction):
        raise ValueError(f"{surface} is a gradient, not a surface to descend")
    w = np.array(start, dtype=np.float64)
    memory = [np.zeros_like(w) for _ in range(state)]
    path: list = [w.tolist()]
    losses: list[float | None] = [float(built(w))]
    for t in range(1, steps + 1):
        counter = (t,) if counts_steps else ()
        out = driver.call(entry, w, built.grad(w), *memory, *counter, *args, **kwargs)
        try:
            if not isinstance(out, tuple | list) or len(out) != state + 1:
                raise ValueError
            w, *memory = (np.asarray(part, dtype=np.float64).reshape(w.shape) for part in out)
        except (TypeError, ValueError, IndexError, KeyError):
            raise AnswerRefused(
                f"at step {t} your {entry} returned {type(out).__name__}, not the new w and "
                f"{state} state array{'s' if state > 1 else ''} shaped like w"
            ) from None
        path.append(w.tolist())
        losses.append(float(built(w)) if np.all(np.isfinite(w)) else None)
    return {"path": path, "loss": losses}


def _malformed(exc: Exception) -> str:
    return f"your result does not have the expected form ({type(exc).__name__}: {exc})"


# A figure keeps at most this many points per series (evenly spaced, first and last kept):
# enough for a plot's width, and what a result stores and every poll returns stays small.
FIGURE_POINTS = 400
# The most numbers one side of a figure may keep after downsampling.
FIGURE_NUMBERS = 5_000


class FigureTooLarge(ValueError):
    pass


def _thin(length: int) -> list[int]:
    if length <= FIGURE_POINTS:
        return list(range(length))
    return sorted({round(i * (length - 1) / (FIGURE_POINTS - 1)) for i in range(FIGURE_POINTS)})


def _jsonable(value, budget: list[int] | None = None, depth: int = 0):
    """Plot data as JSON: sequences downsampled to FIGURE_POINTS before anything is
    converted, non-finite numbers as None; FigureTooLarge past FIGURE_NUMBERS numbers or
    a nesting no plot has."""
    budget = [FIGURE_NUMBERS] if budget is None else budget
    if depth > 8:
        raise FigureTooLarge("nested too deeply to draw")
    value = plain(value)
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return _jsonable(value.item(), budget, depth + 1)
        if value.ndim > 2 or value.ndim == 2 and value.shape[1] > 16:
            raise FigureTooLarge(f"an array of shape {value.shape} is not a path to draw")
        return _array_points(value[_thin(value.shape[0])], budget)
    if isinstance(value, tuple | list):
        return [_jsonable(value[i], budget, depth + 1) for i in _thin(len(value))]
    if isinstance(value, dict):
        if len(value) > 32:
            raise FigureTooLarge("too many series to draw")
        return {str(k)[:64]: _jsonable(v, budget, depth + 1) for k, v in value.items()}
    budget[0] -= 1
    if budget[0] < 0:
        raise FigureTooLarge("too many numbers to draw")
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value if abs(value) < 2**53 else None
    return value if value is None or isinstance(value, bool | str) else None


def _array_points(kept: np.ndarray, budget: list[int]) -> list:
    """A thinned 1-D or 2-D array as JSON lists, converted at C speed (tolist) once the
    budget allows it; non-finite numbers become None."""
    budget[0] -= kept.size
    if budget[0] < 0:
        raise FigureTooLarge("too many numbers to draw")
    if kept.dtype.kind != "f" or np.isfinite(kept).all():
        return kept.tolist()
    shown = kept.astype(object)
    shown[~np.isfinite(kept)] = None
    return shown.tolist()


__all__ = [
    "Call",
    "AnswerRefused",
    "arrays_like",
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
    "optimizer_path",
    "test_function",
]
