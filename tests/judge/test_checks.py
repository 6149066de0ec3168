"""The checks library, with trusted local code standing in for the student's side
(the sandbox itself is tested for real in tests/sandbox and tests/judge/test_engine)."""

import types

import numpy as np
import pytest

from judge.checks import Context, StudentError
from judge.drivers import LocalDriver
from judge.exercise import load_exercise
from tests.helpers import ROOT

EXERCISE = ROOT / "tests" / "fixtures" / "course-min" / "exercises" / "mean-abs"


class RaisingAsStudent(LocalDriver):
    """A local driver that reports exceptions the way the sandbox driver does."""

    def call(self, target, *args, **kwargs):
        try:
            return super().call(target, *args, **kwargs)
        except Exception as exc:
            raise StudentError(
                {"type": type(exc).__name__, "message": str(exc), "traceback": ""}
            ) from None

    def call_keeping_args(self, target, *args, **kwargs):
        # Deliberately no copies: what the student's code does to its inputs must show.
        try:
            return getattr(self.module, target)(*args, **kwargs), list(args)
        except Exception as exc:
            raise StudentError(
                {"type": type(exc).__name__, "message": str(exc), "traceback": ""}
            ) from None


def student(source: str) -> RaisingAsStudent:
    module = types.ModuleType("student")
    exec(compile(source, "submission.py", "exec"), module.__dict__)  # noqa: S102 - trusted test code
    return RaisingAsStudent(module)


@pytest.fixture(scope="module")
def spec():
    return load_exercise(EXERCISE)


def context(spec, source, seed=1):
    return Context(
        entry=spec.entry,
        student=student(source),
        reference=LocalDriver(spec.reference),
        mistakes=[(m, LocalDriver(m.module)) for m in spec.mistakes],
        rng=np.random.default_rng(seed),
    )


def run_all(spec, source):
    ctx = context(spec, source)
    return {check.name: check.run(ctx) for check in spec.checks}


def test_a_correct_but_different_solution_passes_every_check(spec):
    results = run_all(
        spec, "def mean_abs(x):\n    return sum(abs(v) for v in x.ravel()) / x.size\n"
    )
    assert all(r.passed for r in results.values()), {k: r.message for k, r in results.items()}


def test_a_known_mistake_is_recognised_and_shrunk_to_a_tiny_input(spec):
    results = run_all(spec, "import numpy as np\ndef mean_abs(x):\n    return float(np.mean(x))\n")
    failed = results["matches the reference"]
    assert not failed.passed
    assert failed.mistake == "no-abs"
    assert failed.shrunk
    assert failed.failing_input["arg1"]["shape"] == [1]
    assert failed.failing_input["arg1"]["array"][0] < 0


def test_sum_instead_of_mean_is_told_apart_from_the_other_mistake(spec):
    results = run_all(
        spec, "import numpy as np\ndef mean_abs(x):\n    return float(np.abs(x).sum())\n"
    )
    assert results["matches the reference"].mistake == "sum-not-mean"


def test_an_unknown_mistake_fails_without_a_hint(spec):
    results = run_all(
        spec, "import numpy as np\ndef mean_abs(x):\n    return float(np.max(np.abs(x)))\n"
    )
    assert not results["matches the reference"].passed
    assert results["matches the reference"].mistake is None


def test_an_exception_fails_the_check_and_keeps_the_error(spec):
    results = run_all(spec, "def mean_abs(x):\n    raise ValueError('nope')\n")
    failed = results["matches the reference"]
    assert failed.error["type"] == "ValueError"
    assert "ValueError: nope" in failed.message


def test_a_property_violation_is_reported_in_its_own_words(spec):
    results = run_all(
        spec, "import numpy as np\ndef mean_abs(x):\n    return -float(np.mean(np.abs(x)))\n"
    )
    assert "never negative" in results["is never negative"].message


def test_mutating_an_input_fails_the_mutation_check(spec):
    source = (
        "import numpy as np\ndef mean_abs(x):\n    np.abs(x, out=x)\n    return float(x.mean())\n"
    )
    results = run_all(spec, source)
    assert results["matches the reference"].passed
    assert "modified in place" in results["does not modify x"].message


def test_held_out_data_stays_on_the_trusted_side():
    from judge.checks import PropertyCheck, call

    seen = []

    class Recording:
        def call(self, entry, *args, **kwargs):
            seen.append((args, kwargs))
            return float(np.sum(args[0]))

    c = call(np.ones(3)).holding_out(np.full(2, 7.0))
    assert "7" not in repr(c)
    assert "7" not in str(c.summary())

    def scored_on_held_out(c, out, expected):
        # the student's answer against the reference's, measured on data only this side has
        (held,) = c.held_out
        return None if out * held.sum() >= expected * held.sum() - 1 else "worse"

    check = PropertyCheck(
        "as good as the reference on held-out data",
        lambda d: c,
        scored_on_held_out,
        cases=1,
        with_reference=True,
        shrink=False,
    )
    ctx = Context(
        entry="f",
        student=Recording(),
        reference=Recording(),
        mistakes=[],
        rng=np.random.default_rng(0),
    )
    assert check.fails(ctx, c) is None

    class Better(Recording):
        def call(self, entry, *args, **kwargs):
            return super().call(entry, *args, **kwargs) + 10.0

    # the bar is the reference's own answer: a reference that does better fails the student
    behind = Context(
        entry="f",
        student=Recording(),
        reference=Better(),
        mistakes=[],
        rng=np.random.default_rng(0),
    )
    assert check.fails(behind, c).message == "worse"
    assert seen
    assert all(len(args) == 1 and not kwargs for args, kwargs in seen)
    assert all(7.0 not in np.asarray(args[0]) for args, _ in seen)


def test_an_optimizer_path_runs_from_zero_state_and_stops_at_a_malformed_step():
    from judge.checks import optimizer_path, test_function

    valley = test_function("narrow_valley", scale=25.0)

    class Momentum:
        def __init__(self, break_at=None):
            self.calls, self.break_at = [], break_at

        def call(self, entry, w, grad, velocity, lr, beta=0.9):
            self.calls.append((entry, velocity.copy(), lr, beta))
            if len(self.calls) == self.break_at:
                return "not a pair"
            velocity = beta * velocity + grad
            return w - lr * velocity, velocity

    driver = Momentum()
    figure = optimizer_path(driver, "momentum_step", valley, [-1.5, 1.0], 5, args=(0.01,), beta=0.5)
    assert len(figure["path"]) == len(figure["loss"]) == 6
    assert driver.calls[0][0] == "momentum_step"
    assert not driver.calls[0][1].any()  # the velocity starts at zero
    assert {(lr, beta) for _, _, lr, beta in driver.calls} == {(0.01, 0.5)}
    assert figure["loss"][-1] < figure["loss"][0]
    from judge.checks import AnswerRefused

    with pytest.raises(AnswerRefused, match="at step 3 your momentum_step returned str"):
        optimizer_path(Momentum(break_at=3), "momentum_step", valley, [-1.5, 1.0], 5, args=(0.01,))


def test_arrays_like_names_the_part_of_the_wrong_form():
    from judge.checks import arrays_like

    w = np.zeros((2, 3))
    names = ("new_w", "new_velocity")
    assert arrays_like((w, w), w, names, "momentum_step")[1] is None
    assert arrays_like(w, w, names, "momentum_step")[1] == (
        "momentum_step must return a pair (new_w, new_velocity)"
    )
    assert arrays_like((w, [1.0]), w, names, "momentum_step")[1] == (
        "new_velocity must be an array shaped like w (2, 3), not list"
    )
