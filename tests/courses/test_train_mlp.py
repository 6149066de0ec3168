"""The capstone's grading, beyond what every exercise gets (test_grading_quality): the
held-out accuracy check tells a network that learned from one that did not, the held-out
points never appear in what a student is shown, and the checks' defaults are the
statement's."""

import inspect
import json
from pathlib import Path

import pytest
from django.conf import settings

from grading.sandbox_pool import worker_sandbox
from judge.engine import grade_source
from judge.exercise import exercise_from_course

FOLDER = Path(settings.SHIPPED_COURSE_DIR) / "exercises" / "train-mlp"
HELD_OUT = "trained with the defaults, it classifies held-out data as well as the reference"

# The reference's own training loop, its steps frozen after 20 epochs whatever was asked:
# right formulas and shapes, a network that has barely started to learn.
UNDERTRAINED = (
    (FOLDER / "reference.py")
    .read_text()
    .replace(
        "    for _ in range(epochs):\n",
        "    for k in range(epochs):\n        lr_k = lr if k < 20 else 0.0\n",
    )
    .replace("- lr *", "- lr_k *")
)


@pytest.fixture(scope="module")
def exercise():
    return exercise_from_course(settings.SHIPPED_COURSE_DIR, "train-mlp")


@pytest.fixture(scope="module")
def sandbox():
    return worker_sandbox()


def test_a_network_that_has_not_learned_fails_the_held_out_check(exercise, sandbox):
    assert UNDERTRAINED.count("- lr_k *") == 4
    result = grade_source(UNDERTRAINED, exercise, sandbox, seed=5)
    by_name = {check.name: check for check in result.checks}
    assert not by_name[HELD_OUT].passed
    assert "held-out points" in by_name[HELD_OUT].message
    # with lr = 0 it still stays where it started
    assert by_name[
        "with lr = 0 the network stays as initialised (W1, then W2, from the seed)"
    ].passed


def test_the_held_out_points_are_never_shown(exercise, sandbox):
    result = grade_source(UNDERTRAINED, exercise, sandbox, seed=5)
    held = next(c for c in result.checks if c.name == HELD_OUT)
    assert not held.passed
    # the failing input is the call's own arguments: the training data, nothing more
    assert set(held.to_dict()["failing_input"]) == {"X", "y"}
    shown = json.dumps(result.to_dict())
    assert "held_out" not in shown
    assert "400" in held.message  # it says how many points, and nothing of them


def test_the_checks_defaults_are_the_signatures(exercise):
    defaults = {
        name: p.default
        for name, p in inspect.signature(exercise.reference.train_mlp).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    checks_module = exercise.checks[0].case.__globals__
    assert checks_module["DEFAULTS"] == defaults
