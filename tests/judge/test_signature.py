"""One parser for an exercise's interface, for the importer, the engine and the pages."""

import pytest

from judge.signature import (
    Parameter,
    SignatureInvalid,
    named_inputs,
    parameter_names,
    parse_signature,
    signature_note,
    signature_problem,
)
from sandbox import NameInfo


def test_it_reads_parameters_and_which_have_defaults():
    signature = parse_signature("adam_step(w, grad, lr=0.001) -> tuple", "adam_step")
    assert signature.parameters == (
        Parameter("w", False),
        Parameter("grad", False),
        Parameter("lr", True),
    )
    assert signature.names == ["w", "grad", "lr"]


@pytest.mark.parametrize(
    ("text", "entry", "kind", "message"),
    [
        ("mse_loss(a, b", "mse_loss", "function", "does not parse"),
        ("mse(a, b)", "mse_loss", "function", "signature names 'mse' but entry is 'mse_loss'"),
        ("Value", "Value", "class", "a class exercise's signature is 'class Value'"),
    ],
)
def test_a_signature_that_is_not_the_entrys_interface_is_refused(text, entry, kind, message):
    with pytest.raises(SignatureInvalid, match=message):
        parse_signature(text, entry, kind)


def test_a_page_falls_back_to_no_names_for_a_bad_signature():
    assert parameter_names("mse_loss(y_pred, y_true) -> float", "mse_loss") == ["y_pred", "y_true"]
    assert parameter_names("mse_loss(", "mse_loss") == []
    assert parameter_names("class Value", "Value", "class") == []


def names(params, kind="function"):
    return {"f": NameInfo(kind=kind, params=params)}


@pytest.mark.parametrize(
    ("defined", "problem"),
    [
        (names(["x", "lr=0.1"]), ""),
        (names(["x", "lr=0.1", "*args"]), ""),
        ({}, "your code does not define 'f' (expected f(x, lr=0.1))"),
        (names(None, "class"), "'f' must be a function, but it is a class"),
        # Positional parameters may have other names (the checks pass them in order);
        # one the checks pass by name may not, nor may *args stand for a positional one.
        (names(["y", "lr=0.1"]), ""),
        (names(["x", "rate=0.1"]), "expected f(x, lr=0.1), but your function takes (x, rate=0.1)"),
        (names(["*args", "lr=0.1"]), "expected f(x, lr=0.1), but your function takes (*args"),
        (names([]), "expected f(x, lr=0.1), but your function takes ()"),
        (names(["x", "lr"]), "parameter 'lr' needs a default value, as in f(x, lr=0.1)"),
        (names(["x", "lr=1", "z"]), "extra parameter 'z' must have a default value"),
    ],
)
def test_what_a_submission_defines_is_held_against_the_interface(defined, problem):
    signature = parse_signature("f(x, lr=0.1)", "f")
    found = signature_problem(signature, defined)
    assert found.startswith(problem) if problem else found == ""


def test_a_class_exercise_needs_a_class():
    signature = parse_signature("class Value", "Value", "class")
    assert signature_problem(signature, {"Value": NameInfo(kind="class", params=None)}) == ""
    assert (
        signature_problem(signature, {"Value": NameInfo(kind="function", params=[])})
        == "'Value' must be a class"
    )


def test_other_names_for_positional_parameters_are_graded_with_a_note():
    signature = parse_signature("mse_loss(y_pred, y_true) -> float", "mse_loss")
    other = {"mse_loss": NameInfo(kind="function", params=["a", "b"])}
    assert signature_problem(signature, other) == ""
    note = signature_note(signature, other)
    assert "names its parameters (a, b) where the statement says (y_pred, y_true)" in note
    assert "graded all the same" in note
    same = {"mse_loss": NameInfo(kind="function", params=["y_pred", "y_true"])}
    assert signature_note(signature, same) == ""
    assert signature_note(parse_signature("class Value", "Value", "class"), {}) == ""


def test_failing_inputs_take_the_statements_parameter_names():
    names = ["y_pred", "y_true"]
    assert named_inputs({"arg1": [0.0], "arg2": [2.0]}, names) == {"y_pred": [0.0], "y_true": [2.0]}
    # Past the signature, and beside a keyword argument of the same name: numbered.
    assert named_inputs({"arg1": 1, "arg3": 3}, names) == {"y_pred": 1, "arg3": 3}
    assert named_inputs({"arg2": 2, "y_true": 5}, names) == {"arg2": 2, "y_true": 5}
    # No names (a class exercise, a bad signature), or nothing failing: as it was.
    assert named_inputs({"arg1": 1}, []) == {"arg1": 1}
    assert named_inputs(None, names) is None


def test_failing_inputs_come_in_the_signatures_order():
    names = ["grad_fn", "x0", "lr", "steps"]
    stored = {"lr": 0.5, "x0": [1.0], "steps": 2, "grad_fn": {"function": "f"}}  # as jsonb keeps it
    assert list(named_inputs(stored, names)) == names
    assert list(named_inputs({"arg4": 2, "arg1": 0, "beta": 1}, names)) == [
        "grad_fn",
        "steps",
        "beta",
    ]
