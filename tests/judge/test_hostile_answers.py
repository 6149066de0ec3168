"""Hostile submissions aimed at the trusted side: answers built to crash a check, to make
the grader do unbounded work, to forge a fact, or to break storage with their text.

Each grades a submission of the shipped course in the real sandbox and asserts its verdict,
the CPU time and memory this process (the trusted side) spent on it, and that the process
is as it was: no thread or child left behind, the sandbox still serving.
"""

from __future__ import annotations

import gc
import json
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from textwrap import dedent

import pytest

from judge.engine import grade_source, refine_source
from judge.exercise import load_exercise
from tests.helpers import ROOT

EXERCISES = ROOT / "courses" / "content" / "gradient-descent" / "exercises"
MB = 1024 * 1024


def src(text: str) -> str:
    return dedent(text).strip() + "\n"


@pytest.fixture(scope="module")
def specs():
    cache: dict = {}

    def spec(slug: str):
        if slug not in cache:
            cache[slug] = load_exercise(EXERCISES / slug)
        return cache[slug]

    return spec


@dataclass
class Cost:
    cpu_s: float = 0.0
    peak_mb: float = 0.0


def _children() -> set[str]:
    found: set[str] = set()
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children") as f:
                found.update(f.read().split())
        except OSError:
            pass
    return found


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        line = next(line for line in f if line.startswith(field + ":"))
    return int(line.split()[1])


@contextmanager
def trusted_side(sandbox):
    """What grading inside the block cost this process (CPU time; peak resident memory
    above what it held before), and a check that it left nothing behind. The jail is
    another process: its CPU and memory are not counted."""
    threads, children = threading.active_count(), _children()
    zygote = sandbox.info()["pid"]
    cost = Cost()
    gc.collect()
    # Writing 5 to clear_refs resets the peak (VmHWM) to the current resident size.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    resident = _status_kb("VmRSS")
    started = time.process_time()
    try:
        yield cost
    finally:
        cost.cpu_s = time.process_time() - started
        cost.peak_mb = (_status_kb("VmHWM") - resident) / 1024
        print(f"trusted side: {cost.cpu_s:.3f} s CPU, peak +{cost.peak_mb:.1f} MB")
    assert threading.active_count() == threads
    assert _children() <= children | {str(zygote)}
    assert sandbox.info()["pid"] == zygote


def storable(result) -> dict:
    """The result as grading stores it: JSON that encodes as UTF-8 without a NUL."""
    text = json.dumps(result.to_dict())
    text.encode("utf-8")
    assert "\\u0000" not in text
    return json.loads(text)


def graded(sandbox, specs, slug, source, *, defer_shrink=True, cpu_s=1.5, peak_mb=64):
    with trusted_side(sandbox) as cost:
        result = grade_source(source, specs(slug), sandbox, seed=11, defer_shrink=defer_shrink)
    assert cost.cpu_s < cpu_s, cost
    assert cost.peak_mb < peak_mb, cost
    storable(result)
    # A verdict and its score never disagree.
    assert (result.verdict == "passed") == (result.score == 1.0), result
    return result


# --- answers that crashed a check ------------------------------------------------------------


@pytest.mark.parametrize("value", ["10**400", "-(10**400)", "[10**400]", "(1.0, 10**400)"])
def test_an_answer_too_large_for_a_float_fails_its_checks_without_a_crash(sandbox, specs, value):
    source = f"def mse_loss(y_pred, y_true):\n    return {value}\n"
    result = graded(sandbox, specs, "mse-loss", source)
    assert result.verdict == "failed"
    assert result.score == 0.0


def test_a_number_too_large_for_a_float_is_named_by_its_size(sandbox, specs):
    result = graded(
        sandbox, specs, "mse-loss", "def mse_loss(y_pred, y_true):\n    return 10**400\n"
    )
    messages = " ".join(c.message for c in result.checks)
    assert "an integer of about 401 digits" in messages


def test_a_gradient_of_two_to_the_2000_in_a_scenario_fails_without_a_crash(sandbox, specs):
    reference = (EXERCISES / "autodiff-value" / "reference.py").read_text()
    source = reference + src("""
        # Every gradient read back is 2**2000, and writes to it are ignored.
        Value.grad = property(lambda self: 2**2000, lambda self, value: None)
    """)
    result = graded(sandbox, specs, "autodiff-value", source)
    # The student's own arithmetic on 2**2000 raises in the jail too: an error verdict.
    assert result.verdict in ("failed", "error")
    assert result.score < 1
    assert any("digits" in c.message or "OverflowError" in c.message for c in result.checks)


# --- answers built to make the trusted side work ------------------------------------------


def test_an_empty_array_with_a_huge_first_dimension_is_refused_before_any_conversion(
    sandbox, specs
):
    source = src("""
        import numpy as np
        def gradient_descent(grad_fn, x0, lr, steps):
            return np.zeros((2**28, 0))
    """)
    result = graded(sandbox, specs, "gradient-descent", source, defer_shrink=False, cpu_s=3)
    assert result.verdict == "failed"
    figure = next(c.figure for c in result.checks if c.figure)
    assert figure["student"] is None
    assert "numbers" in figure["student_problem"]


def test_a_path_of_a_million_rows_is_refused_and_the_verdict_keeps_its_score(sandbox, specs):
    source = src("""
        import numpy as np
        def gradient_descent(grad_fn, x0, lr, steps):
            x = np.array(x0, dtype=float)
            return np.tile(x, (999_000, 1))
    """)
    result = graded(sandbox, specs, "gradient-descent", source, defer_shrink=False, cpu_s=3)
    # Refused answer by answer, until the run's answers pass what a run may send in all.
    assert result.verdict in ("failed", "output_limit")
    assert "more than 100,000 numbers" in result.checks[0].message


def test_a_correct_path_with_a_huge_figure_is_drawn_from_a_few_hundred_points(sandbox, specs):
    """The figure's scenario gets the student's whole path; what is kept is thinned."""
    reference = (EXERCISES / "gradient-descent" / "reference.py").read_text()
    result = graded(sandbox, specs, "gradient-descent", reference, defer_shrink=False, cpu_s=3)
    assert (result.verdict, result.score) == ("passed", 1.0)
    figure = next(c.figure for c in result.checks if c.figure)
    assert 0 < len(figure["student"]["path"]) <= 400


def test_a_loss_curve_of_a_million_and_a_half_points_is_refused_and_the_result_stays_small(
    sandbox, specs
):
    source = src("""
        import numpy as np
        def fit_linear_regression(X, y, lr, epochs):
            return np.zeros(X.shape[1]), 0.0, np.ones(1_500_000)
    """)
    result = graded(
        sandbox, specs, "linear-regression-gd", source, defer_shrink=False, cpu_s=4, peak_mb=200
    )
    assert result.verdict in ("failed", "output_limit")
    assert "more than 100,000 numbers" in result.checks[0].message
    assert len(json.dumps(result.to_dict())) < 64 * 1024


def test_a_wrong_answer_of_15_mb_per_call_keeps_memory_bounded_while_shrinking(sandbox, specs):
    source = src("""
        import numpy as np
        def mse_loss(y_pred, y_true):
            return np.ones(1_900_000)
    """)
    with trusted_side(sandbox) as cost:
        result = grade_source(source, specs("mse-loss"), sandbox, seed=3, defer_shrink=False)
    assert result.verdict in ("failed", "output_limit")
    assert result.score == 0.0
    assert cost.peak_mb < 120, cost
    assert cost.cpu_s < 6, cost


def test_a_frame_header_of_thousands_of_long_integers_ends_the_run_cheaply(sandbox, specs):
    source = src("""
        import json, os, struct
        def mse_loss(y_pred, y_true):
            header = ('{"v":{"__dict__":{"id":1,"status":"ok","value":['
                      + ",".join(["9" * 4299] * 450) + ']}},"a":[]}').encode()
            os.write(3, struct.pack(">I", len(header)) + header)
            return 0.0
    """)
    result = graded(sandbox, specs, "mse-loss", source, cpu_s=0.5)
    assert result.verdict in ("error", "failed")
    assert result.score == 0.0


def test_a_frame_header_over_the_cap_ends_the_run_before_it_is_read(sandbox, specs):
    source = src("""
        import os, struct
        def mse_loss(y_pred, y_true):
            body = b'{"v":[' + b"0," * 6_000_000 + b'0],"a":[]}'
            os.write(3, struct.pack(">I", len(body)) + body)
            return 0.0
    """)
    result = graded(sandbox, specs, "mse-loss", source, cpu_s=0.5)
    assert result.verdict in ("output_limit", "error", "failed")
    assert result.score == 0.0


def test_an_answer_of_many_small_objects_is_refused(sandbox, specs):
    source = src("""
        def mse_loss(y_pred, y_true):
            return [[] for _ in range(150_000)]
    """)
    result = graded(sandbox, specs, "mse-loss", source)
    assert result.score == 0.0


def test_a_dict_with_a_hundred_thousand_keys_is_refused(sandbox, specs):
    source = (
        "def mse_loss(y_pred, y_true):\n    return {str(i): float(i) for i in range(120_000)}\n"
    )
    result = graded(sandbox, specs, "mse-loss", source, cpu_s=1.5)
    assert result.score == 0.0


def test_a_fifteen_megabyte_string_answer_leaves_short_messages(sandbox, specs):
    source = "def mse_loss(y_pred, y_true):\n    return 'x' * 7_000_000\n"
    result = graded(sandbox, specs, "mse-loss", source, peak_mb=120)
    assert result.score == 0.0
    assert all(len(c.message) <= 1000 for c in result.checks)


def test_an_answer_nested_to_the_protocol_depth_fails_cleanly(sandbox, specs):
    source = src("""
        def mse_loss(y_pred, y_true):
            value = 0.0
            for _ in range(60):
                value = [value]
            return value
    """)
    result = graded(sandbox, specs, "mse-loss", source)
    assert result.verdict == "failed"


# --- forged facts ----------------------------------------------------------------------------

MUTATING_MSE = src("""
    import numpy as np
    def mse_loss(y_pred, y_true):
        loss = float(np.mean((y_pred - y_true) ** 2))
        y_pred -= y_true
        return loss
""")

FORGED_REPORT = src("""
    import sys
    runner = sys.modules["sandbox.runner"]
    _real_send = runner.Runner.send
    def send(self, message):
        # Claim every argument came back untouched: the trusted side's own copies.
        message.pop("args", None)
        return _real_send(self, message)
    runner.Runner.send = send
""")


def test_a_mutation_report_forged_inside_the_jail_earns_nothing_more(sandbox, specs):
    honest = graded(sandbox, specs, "mse-loss", MUTATING_MSE)
    forged = graded(sandbox, specs, "mse-loss", MUTATING_MSE + FORGED_REPORT)
    assert forged.score == honest.score
    note = next(c for c in honest.checks if c.name.startswith("does not modify"))
    assert (note.passed, note.points, note.earned) == (False, 0.0, 0.0)
    assert "modified in place" in note.message
    assert honest.verdict == "passed"
    assert "note" in honest.message


def test_infinity_everywhere_satisfies_no_property(sandbox, specs):
    source = "def mse_loss(y_pred, y_true):\n    return float('inf')\n"
    result = graded(sandbox, specs, "mse-loss", source)
    assert result.score == 0.0
    assert any("non-finite" in c.message for c in result.checks)


def test_nan_where_the_reference_is_finite_fails(sandbox, specs):
    source = "def mse_loss(y_pred, y_true):\n    return float('nan')\n"
    result = graded(sandbox, specs, "mse-loss", source)
    assert result.score == 0.0


# --- text that broke storage and pages ------------------------------------------------------


def test_nul_bytes_and_escapes_in_stdout_are_stored_as_clean_text(sandbox, specs):
    source = src("""
        import sys
        def mse_loss(y_pred, y_true):
            sys.stdout.write("a\\x00b\\x1b[2J")
            sys.stdout.buffer.write(b"\\xff\\xfe")
            return 0.0
    """)
    result = graded(sandbox, specs, "mse-loss", source)
    assert "\x00" not in result.stdout
    assert "\x1b" not in result.stdout
    assert "a\ufffdb" in result.stdout


def test_a_lone_surrogate_in_an_exception_message_is_stored_as_clean_text(sandbox, specs):
    source = "def mse_loss(y_pred, y_true):\n    raise ValueError('bad \\ud800 \\x00 text')\n"
    result = graded(sandbox, specs, "mse-loss", source)
    assert result.verdict == "error"
    data = storable(result)
    errors = [c["error"] for c in data["checks"] if c["error"]]
    assert errors
    assert all("\ufffd" in e["message"] for e in errors)


def test_a_lone_surrogate_in_a_returned_string_and_key_is_stored_as_clean_text(sandbox, specs):
    source = "def mse_loss(y_pred, y_true):\n    return {'\\ud800\\x00': '\\udfff'}\n"
    result = graded(sandbox, specs, "mse-loss", source)
    assert result.score == 0.0


def test_a_lone_surrogate_in_the_name_of_a_returned_class_is_clean(sandbox, specs):
    source = src("""
        Weird = type("W\\ud800\\x00", (), {})
        def mse_loss(y_pred, y_true):
            return Weird()
    """)
    result = graded(sandbox, specs, "mse-loss", source)
    assert result.score == 0.0


# --- the refinement after a verdict -------------------------------------------------------


def test_refining_a_huge_wrong_answer_stays_bounded(sandbox, specs):
    source = "import numpy as np\ndef mse_loss(y_pred, y_true):\n    return np.ones(1_900_000)\n"
    spec = specs("mse-loss")
    first = grade_source(source, spec, sandbox, seed=5, defer_shrink=True)
    names = {c.name for c in first.checks if c.refine}
    with trusted_side(sandbox) as cost:
        refine_source(source, spec, sandbox, seed=5, names=names)
    assert cost.peak_mb < 120, cost
    assert cost.cpu_s < 6, cost
