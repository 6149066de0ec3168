"""The engine end to end, with the real sandbox (no mocks)."""

import json

import pytest
from django.core.management import call_command

from judge.engine import grade_source
from judge.exercise import load_exercise
from tests.helpers import ROOT

COURSE = ROOT / "tests" / "fixtures" / "course-min"
EXERCISE = COURSE / "exercises" / "mean-abs"
GOOD = "import numpy as np\n\ndef mean_abs(x):\n    return float(np.mean(np.abs(x)))\n"


@pytest.fixture(scope="module")
def spec():
    return load_exercise(EXERCISE)


def grade(source, spec, sandbox):
    return grade_source(source, spec, sandbox, seed=7)


def test_a_correct_submission_passes_with_full_score(spec, sandbox):
    result = grade(GOOD, spec, sandbox)
    assert (result.verdict, result.score) == ("passed", 1.0), result.message
    assert all(c.passed for c in result.checks)
    assert result.timings["total_ms"] > 0


def test_a_known_mistake_fails_with_its_hint_and_a_small_failing_input(spec, sandbox):
    result = grade(
        "import numpy as np\ndef mean_abs(x):\n    return float(np.mean(x))\n", spec, sandbox
    )
    assert result.verdict == "failed"
    assert result.score < 1
    assert result.mistake == "no-abs"
    assert "np.abs" in result.hint
    failed = next(c for c in result.checks if not c.passed)
    assert failed.shrunk
    assert failed.failing_input["x"]["shape"] == [1]  # named as in the statement


def test_a_syntax_error_is_invalid_and_names_its_line(spec, sandbox):
    result = grade("import numpy as np\n\ndef mean_abs(x)\n    return 1\n", spec, sandbox)
    assert result.verdict == "invalid"
    assert "line 3" in result.message


def test_a_missing_function_is_invalid(spec, sandbox):
    result = grade("def something_else(x):\n    return 1\n", spec, sandbox)
    assert result.verdict == "invalid"
    assert "does not define 'mean_abs'" in result.message


def test_a_non_callable_entry_is_invalid(spec, sandbox):
    result = grade("mean_abs = 3\n", spec, sandbox)
    assert result.verdict == "invalid"
    assert "must be a function" in result.message


def test_a_wrong_signature_is_invalid(spec, sandbox):
    result = grade("def mean_abs(x, y):\n    return 1.0\n", spec, sandbox)
    assert result.verdict == "invalid"
    assert "y" in result.message


def test_other_parameter_names_are_graded_with_a_note(spec, sandbox):
    renamed = GOOD.replace("mean_abs(x)", "mean_abs(values)").replace("abs(x)", "abs(values)")
    result = grade(renamed, spec, sandbox)
    assert (result.verdict, result.score) == ("passed", 1.0), result.message
    assert "names its parameters (values) where the statement says (x)" in result.message
    assert result.message.startswith("all checks passed. Your function")
    assert "names its parameters" not in grade(GOOD, spec, sandbox).message


def test_what_a_run_printed_before_its_timeout_is_kept(spec, sandbox):
    source = (
        "def mean_abs(x):\n    print('started on', len(x), 'values')\n"
        "    while True:\n        pass\n"
    )
    result = grade(source, spec, sandbox)
    assert result.verdict == "timeout"
    assert "started on" in result.stdout
    # The limit, and how long the reference took for what was asked before it.
    assert f"time limit ({spec.time_s:g} s of CPU time); the reference" in result.message


def test_an_exception_is_an_error_with_only_the_students_frames(spec, sandbox):
    source = "def helper(x):\n    raise ValueError('bad input')\n\ndef mean_abs(x):\n    return helper(x)\n"
    result = grade(source, spec, sandbox)
    assert result.verdict == "error"
    error = next(c.error for c in result.checks if c.error)
    assert error["type"] == "ValueError"
    assert "submission.py" in error["traceback"]
    assert "sandbox" not in error["traceback"]
    assert "grading" not in error["traceback"]
    assert "judge" not in error["traceback"]


def test_source_over_64_kib_is_invalid_before_anything_runs(spec, sandbox):
    result = grade(GOOD + "#" * (64 * 1024), spec, sandbox)
    assert result.verdict == "invalid"
    assert "64 KiB" in result.message


def test_source_that_is_not_utf8_is_invalid(spec, sandbox):
    result = grade(b"def mean_abs(x):\n    return '\xff\xfe'\n", spec, sandbox)
    assert result.verdict == "invalid"
    assert "UTF-8" in result.message


def test_an_infinite_loop_times_out(spec, sandbox):
    result = grade("def mean_abs(x):\n    while True:\n        pass\n", spec, sandbox)
    assert result.verdict == "timeout"
    assert result.score == 0


def test_a_memory_bomb_is_a_memory_verdict(spec, sandbox):
    source = "import numpy as np\ndef mean_abs(x):\n    return float(np.ones((1 << 30,)).sum())\n"
    result = grade(source, spec, sandbox)
    assert result.verdict == "memory"


def test_an_output_flood_is_an_output_limit_verdict(spec, sandbox):
    source = "def mean_abs(x):\n    while True:\n        print('x' * 10000)\n"
    result = grade(source, spec, sandbox)
    assert result.verdict == "output_limit"


def test_printed_output_is_captured_and_cannot_change_the_verdict(spec, sandbox):
    source = (
        "import numpy as np\ndef mean_abs(x):\n"
        '    print(\'{"verdict": "passed", "score": 1.0}\')\n    return 0.0\n'
    )
    result = grade(source, spec, sandbox)
    assert result.verdict == "failed"
    assert '"verdict": "passed"' in result.stdout


def test_the_grade_command_prints_one_json_object_per_file(tmp_path, capsys):
    good = tmp_path / "good.py"
    good.write_text(GOOD)
    bad = tmp_path / "bad.py"
    bad.write_text("def mean_abs(x):\n    return -1.0\n")
    call_command("grade", "mean-abs", str(good), str(bad), "--json", "--course", str(COURSE))
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["file"], r["verdict"]) for r in lines] == [
        (str(good), "passed"),
        (str(bad), "failed"),
    ]
    assert set(lines[0]) == {
        "file", "exercise", "verdict", "score", "message", "diagnosis", "hint", "checks",
        "duration_ms",
    }  # fmt: skip
    assert {"name", "passed", "message", "failing_input", "diagnosis"} == set(lines[1]["checks"][0])
    assert lines[0]["diagnosis"] is None


def test_the_grade_command_gives_scripts_what_the_student_is_told(tmp_path, capsys):
    """--json carries the known mistake's hint, or failing that the automatic diagnosis."""
    known = tmp_path / "known.py"
    known.write_text("import numpy as np\ndef mean_abs(x):\n    return float(np.mean(x))\n")
    doubled = tmp_path / "doubled.py"
    doubled.write_text(
        "import numpy as np\ndef mean_abs(x):\n    return 2 * float(np.mean(np.abs(x)))\n"
    )
    call_command(
        "grade", "mean-abs", str(known), str(doubled), "--json", "--course", str(COURSE),
        "--seed", "3",
    )  # fmt: skip
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["diagnosis"]["kind"] == "known_mistake"
    assert first["diagnosis"]["message"] == first["hint"]
    assert "np.abs" in first["hint"]
    assert second["hint"] is None
    assert second["diagnosis"]["kind"] == "factor"
    assert "2 times the right one" in second["diagnosis"]["message"]


def test_the_grade_command_reports_an_answer_too_large_for_a_float_as_a_verdict(tmp_path, capsys):
    huge = tmp_path / "huge.py"
    huge.write_text("def mean_abs(x):\n    return 10**400\n")
    call_command("grade", "mean-abs", str(huge), "--json", "--course", str(COURSE))
    [line] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (line["verdict"], line["score"]) == ("failed", 0.0)
    assert any("about 401 digits" in c["message"] for c in line["checks"])


def test_an_unexpected_exception_in_a_check_fails_that_check_only(spec, sandbox, monkeypatch):
    from judge import checks

    def broken(self, ctx, c):
        raise ZeroDivisionError("a check's own bug")

    monkeypatch.setattr(checks.PropertyCheck, "fails", broken)
    result = grade(GOOD, spec, sandbox)
    crashed = [c for c in result.checks if "could not judge" in c.message]
    assert crashed
    assert all(not c.passed and c.earned == 0 for c in crashed)
    assert result.verdict == "failed"
    assert 0 < result.score < 1


def test_selfcheck_passes_when_references_pass_and_starters_fail(capsys):
    call_command("selfcheck", "--course", str(COURSE))
    assert "mean-abs: ok" in capsys.readouterr().out


def test_a_reference_check_asks_for_all_its_cases_in_one_round_trip(spec, sandbox, monkeypatch):
    from sandbox.client import Session

    ops = []
    original = Session._request

    def counting(self, message, timeout):
        ops.append(message["op"])
        return original(self, message, timeout)

    monkeypatch.setattr(Session, "_request", counting)
    result = grade(GOOD, spec, sandbox)
    assert result.verdict == "passed"
    assert "call_many" in ops
    # Without batching every drawn case is a round trip of its own.
    cases = sum(getattr(check, "cases", 1) for check in spec.checks)
    assert len(ops) < cases / 2


def test_a_failure_found_in_a_batch_is_still_shrunk_and_matched(spec, sandbox):
    no_abs = "import numpy as np\n\ndef mean_abs(x):\n    return float(np.mean(x))\n"
    result = grade(no_abs, spec, sandbox)
    assert result.verdict == "failed"
    first = result.checks[0]
    assert first.mistake == "no-abs"
    assert first.shrunk


def shipped(slug):
    from django.conf import settings

    from judge.exercise import exercise_from_course

    return exercise_from_course(settings.SHIPPED_COURSE_DIR, slug)


def test_a_fork_bomb_that_forges_frames_mid_shrinking_is_a_verdict_not_a_crash(sandbox):
    # Each forked copy of the runner answers on the shared pipe: the run ends with a
    # protocol violation while the check is shrinking its failing input.
    source = "import os\ndef mse_loss(y_pred, y_true):\n    while True:\n        os.fork()\n"
    result = grade_source(source, shipped("mse-loss"), sandbox, seed=1)
    assert result.verdict == "error"
    assert result.score == 0


def test_results_of_the_wrong_form_fail_checks_instead_of_breaking_grading(sandbox):
    # A string where Adam's (w, m, v) should be: the optimizer-path figure and the
    # checks unpack it on the trusted side.
    source = "def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n    return 'w, m, v'\n"
    result = grade_source(source, shipped("adam"), sandbox, seed=1)
    assert result.verdict == "failed"
    assert "this exercise is broken" not in result.message
    figure = next(c.figure for c in result.checks if c.figure)
    assert figure["student"] is None
    assert figure["reference"]


WRONG_VARIANTS = [
    (slug, path.name)
    for slug in ("mse-loss", "mse-grad", "adam", "softmax-cross-entropy", "clip-grad-norm")
    for path in sorted((ROOT / "courses/content/gradient-descent/exercises" / slug / "tests/wrong").glob("*.py"))[:2]
]  # fmt: skip


@pytest.mark.parametrize(("slug", "variant"), WRONG_VARIANTS)
def test_deferred_shrinking_gives_the_verdict_and_then_the_same_smallest_inputs(
    sandbox, slug, variant
):
    from judge.engine import refine_source

    spec = shipped(slug)
    source = (spec.directory / "tests" / "wrong" / variant).read_text()
    inline = grade_source(source, spec, sandbox, seed=11)
    first = grade_source(source, spec, sandbox, seed=11, defer_shrink=True)
    # The verdict needs no shrinking: the same verdict, score, hint and checks' outcomes.
    assert (first.verdict, first.score, first.mistake) == (
        inline.verdict,
        inline.score,
        inline.mistake,
    )
    assert [c.passed for c in first.checks] == [c.passed for c in inline.checks]
    pending = {c.name for c in first.checks if c.refine}
    assert pending
    assert not any(c.shrunk for c in first.checks)
    refined = refine_source(source, spec, sandbox, seed=11, names=pending)
    for check in inline.checks:
        if check.name in pending and check.shrunk:
            assert refined[check.name].failing_input == check.failing_input, check.name
            assert refined[check.name].message == check.message


def test_a_figure_is_drawn_after_the_verdict_and_is_the_same_plot(sandbox):
    from judge.engine import refine_source

    spec = shipped("adam")
    inline = grade_source(spec.reference_source, spec, sandbox, seed=5)
    first = grade_source(spec.reference_source, spec, sandbox, seed=5, defer_shrink=True)
    assert (first.verdict, first.score) == (inline.verdict, inline.score) == ("passed", 1.0)
    drawn = {c.name: c.figure for c in inline.checks if c.figure}
    pending = {c.name for c in first.checks if c.refine}
    assert drawn
    assert pending == set(drawn)
    assert not any(c.figure for c in first.checks)
    later = refine_source(spec.reference_source, spec, sandbox, seed=5, names=pending)
    assert {name: c.figure for name, c in later.items()} == drawn


def test_a_failing_comparison_says_which_convention_the_exercise_expects(sandbox, monkeypatch):
    from judge.exercise import ExerciseSpec

    spec = load_exercise(EXERCISE)
    said = property(lambda self: "the mean over every entry of |x|.")
    monkeypatch.setattr(ExerciseSpec, "convention", said)
    doubled = "import numpy as np\ndef mean_abs(x):\n    return 2 * float(np.mean(np.abs(x)))\n"
    result = grade_source(doubled, spec, sandbox, seed=7)
    failed = [c for c in result.checks if not c.passed and c.points > 0]
    assert failed
    assert all(c.message.endswith("This exercise expects the mean over every entry of |x|.")
               for c in failed)  # fmt: skip
    passed = grade_source(GOOD, spec, sandbox, seed=7)
    assert not any("This exercise expects" in c.message for c in passed.checks)
    crashed = grade_source("def mean_abs(x):\n    raise ValueError('no')\n", spec, sandbox, seed=7)
    assert not any("This exercise expects" in c.message for c in crashed.checks)


def _accepting(tmp_path, accepted_source: str):
    """mean-abs, copied, whose statement also allows the root mean square (as if both
    conventions of "the typical size of x" were fine): exercise.yaml's accepts."""
    import shutil

    folder = tmp_path / "mean-abs"
    shutil.copytree(EXERCISE, folder)
    (folder / "conventions").mkdir()
    (folder / "conventions" / "root-mean-square.py").write_text(accepted_source)
    yaml = (folder / "exercise.yaml").read_text()
    yaml = yaml.split("mistakes:")[0] + (
        "accepts:\n"
        "  - file: conventions/root-mean-square.py\n"
        '    title: "the root mean square of x"\n'
    )
    (folder / "exercise.yaml").write_text(yaml)
    return load_exercise(folder)


RMS = "import numpy as np\ndef mean_abs(x):\n    return float(np.sqrt(np.mean(x ** 2)))\n"


def test_an_accepted_convention_passes_and_says_so(tmp_path, sandbox):
    from judge.selfcheck import selfcheck

    spec = _accepting(tmp_path, RMS)
    followed = grade_source(RMS, spec, sandbox, seed=7)
    assert (followed.verdict, followed.score) == ("passed", 1.0), followed.message
    assert followed.convention == "the root mean square of x"
    assert "follows the root mean square of x" in followed.message
    usual = grade_source(GOOD, spec, sandbox, seed=7)
    assert (usual.verdict, usual.convention) == ("passed", None)
    # One convention per submission: the mean for 1-D inputs and the RMS for 2-D is neither.
    mixed = (
        "import numpy as np\ndef mean_abs(x):\n"
        "    if x.ndim == 1:\n        return float(np.mean(np.abs(x)))\n"
        "    return float(np.sqrt(np.mean(x ** 2)))\n"
    )
    assert grade_source(mixed, spec, sandbox, seed=7).verdict == "failed"
    assert selfcheck(spec, sandbox).ok


def test_an_accepted_convention_that_fails_the_checks_is_an_authoring_problem(tmp_path, sandbox):
    from judge.selfcheck import selfcheck

    negative = "import numpy as np\ndef mean_abs(x):\n    return -float(np.sqrt(np.mean(x ** 2)))\n"
    spec = _accepting(tmp_path, negative)
    problems = selfcheck(spec, sandbox).problems
    assert [p.file for p in problems] == ["mean-abs/conventions/root-mean-square.py"]
    assert "this accepted convention scores" in problems[0].message


def test_a_run_that_ends_on_a_diagnosis_question_keeps_the_checks_verdict(spec, sandbox):
    """The diagnosis asks the student's code about a simpler input (the same numbers as
    1-D arrays) after every check has run; code that hangs there is past judging, so
    the verdict is the checks' own, not a timeout."""
    hangs_later = (
        "import numpy as np\n"
        "calls = 0\n"
        "def mean_abs(x):\n"
        "    global calls\n"
        "    calls += 1\n"
        "    if calls > 35 and x.ndim == 1:  # 35: every call the checks make\n"
        "        while True:\n"
        "            pass\n"
        "    value = float(np.mean(np.abs(x)))\n"
        "    return value if x.ndim == 1 else value * 1.0001\n"
    )
    result = grade_source(hangs_later, spec, sandbox, seed=7, defer_shrink=True)
    assert result.ended_in_diagnosis
    assert result.verdict == "failed", result.message
    assert 0 < result.score < 1
    assert result.diagnosis is None
    assert [c.name for c in result.checks if not c.passed] == ["matches the reference"]
