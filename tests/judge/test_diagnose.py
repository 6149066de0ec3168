"""The automatic diagnosis: each relation on answers built to have it, and none where the
answers are unrelated (judge/diagnose.py)."""

import numpy as np
import pytest

from judge.diagnose import Inputs, NoAnswer, diagnose

RNG = np.random.default_rng(11)


def inputs(*args, names=None, defaults=None, **kwargs):
    names = names if names is not None else [f"x{i}" for i in range(len(args))]
    return Inputs(args, kwargs, names, defaults or {})


def mse_grad(y_pred, y_true):
    return 2 * (y_pred - y_true) / y_pred.size


Y_PRED, Y_TRUE = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
MSE = inputs(Y_PRED, Y_TRUE, names=["y_pred", "y_true"])
RIGHT = mse_grad(Y_PRED, Y_TRUE)


def kind(found):
    return None if found is None else found.kind


@pytest.mark.parametrize(
    ("got", "expected_kind", "words"),
    [
        (-RIGHT, "sign", "opposite sign"),
        (RIGHT / 2, "factor", "half the right one"),
        (RIGHT * 12, "factor", "N = 12 is the number of entries of y_pred"),
        (RIGHT * 3, "factor", "D = 3 is the number of columns of y_pred"),
        (RIGHT * 1.37, "factor", "multiplied by 1.37"),
        (RIGHT.T, "transposed", "transpose of the right one"),
        (RIGHT + 0.25, "offset", "plus 0.25"),
        (RIGHT - Y_TRUE, "term", "a term in y_true is missing"),
        (np.zeros_like(RIGHT), "zeros", "all zeros"),
        (RIGHT.reshape(1, 4, 3), "extra_axis", "values are right"),
        (np.where(RIGHT > 0, np.inf, RIGHT), "overflow", "inf where the right answer is finite"),
    ],
)
def test_each_relation_between_a_wrong_and_a_right_answer_is_named(got, expected_kind, words):
    found = diagnose(got, RIGHT, MSE)
    assert kind(found) == expected_kind
    assert words in found.message
    assert 0 < len(found.label) <= 80


def test_unrelated_answers_get_no_diagnosis():
    assert diagnose(RNG.normal(size=RIGHT.shape), RIGHT, MSE) is None
    assert diagnose(RIGHT, RIGHT, MSE) is None  # nothing differs: nothing to say


def test_a_loss_reduced_along_the_wrong_axis_names_the_axis():
    X = RNG.normal(size=(6, 3))
    right = X.mean(axis=0)
    found = diagnose(X.mean(axis=1), right, inputs(X, names=["X"]))
    assert kind(found) == "other_axis"
    assert "one value per row of X" in found.message


def test_an_array_where_one_number_is_due_and_the_square_and_root():
    d = RNG.normal(size=5)
    right = float(np.mean(d**2))
    assert kind(diagnose(d**2, right, inputs(d))) == "not_reduced"
    assert kind(diagnose(right**0.5, right, inputs(d))) == "root"
    assert kind(diagnose(right**2, right, inputs(d))) == "square"


def test_a_path_with_the_wrong_sign_or_length_or_only_its_end():
    steps = np.cumsum(RNG.normal(size=(6, 2)), axis=0)
    path = np.vstack([np.zeros(2), steps])
    start = inputs(np.zeros(2), names=["x0"])  # a path starts at x0: its rows are steps
    ascent = np.vstack([path[:2], path[1] + (path[1] - path[2]), path[3:]])
    assert kind(diagnose(ascent, path, start)) == "sign"
    assert kind(diagnose(path[1:], path, start)) == "off_by_one"
    assert kind(diagnose(path[-1], path, start)) == "last_only"
    lagging = np.vstack([path[:1], path[:-1]])
    assert kind(diagnose(lagging, path, start)) == "shifted"
    drifting = path + np.arange(7)[:, None] ** 1.5 * 0.01
    assert kind(diagnose(drifting, path, start)) == "diverges_at"


def test_the_rows_of_a_matrix_are_not_steps():
    w = RNG.normal(size=(4, 3))
    wrong = w.copy()
    wrong[2:] += RNG.normal(size=(2, 3))
    found = diagnose(wrong, w, inputs(RNG.normal(size=(4, 3)), names=["grad"]))
    assert kind(found) not in ("diverges_at", "shifted")
    losses = [3.0, 2.0, 1.5, 1.2]
    assert kind(diagnose([3.0, 2.0, 1.37, 0.4], losses, inputs())) == "diverges_at"  # a list


def test_the_step_of_an_update_is_judged_where_the_new_value_is_not_related():
    w, grad = RNG.normal(size=4), RNG.normal(size=4)
    lr = 0.1
    found = diagnose(
        (w - 2 * lr * grad,), (w - lr * grad,),
        inputs(w, grad, lr, names=["w", "grad", "lr"]), outputs=("the new w",),
    )  # fmt: skip
    assert kind(found) == "factor"
    assert found.message.startswith("In the new w: your step (the change from w) is 2 times")


def adam_m(grad, m, t, beta1=0.9):
    return beta1 * m + (1 - beta1) * grad / (1 - beta1**t)


def test_an_input_off_by_one_or_swapped_or_left_at_its_default_is_found_by_asking_the_reference():
    grad, m = RNG.normal(size=3), RNG.normal(size=3)
    names, defaults = ["grad", "m", "t", "beta1"], {"beta1": 0.9}

    def reference_at(args, kwargs):
        return adam_m(*args, **kwargs)

    def find(got, t=3, beta1=0.8):
        right = adam_m(grad, m, t, beta1)
        args = inputs(grad, m, t, beta1, names=names, defaults=defaults)
        return diagnose(got, right, args, reference_at=reference_at)

    assert find(adam_m(grad, m, 4, 0.8)).label == "t off by one"
    assert find(adam_m(m, grad, 3, 0.8)).label == "grad and m swapped"
    ignored = find(adam_m(grad, m, 3, 0.9))
    assert ignored.label == "beta1 ignored"
    assert "its default" in ignored.message
    assert find(adam_m(grad, m, 3, 0.2)).label == "beta1 as 1 − beta1"


def test_right_on_a_simpler_input_asks_the_students_code_within_a_limit():
    X = RNG.normal(size=(3, 4))
    calls = []

    def reference_at(args, kwargs):
        return float(np.mean(args[0] ** 2))

    def student_at(args, kwargs):  # divides by the rows: right only for 1-D arrays
        calls.append(args)
        return float(np.sum(args[0] ** 2) / len(args[0]))

    right = reference_at((X,), {})
    found = diagnose(
        student_at((X,), {}), right, inputs(X, names=["X"]),
        reference_at=reference_at, student_at=student_at,
    )  # fmt: skip
    assert kind(found) == "factor"  # named already: the simpler input is not needed
    assert len(calls) == 1
    odd = right * 1.0001  # no relation on the answer itself
    calls.clear()

    def student_odd(args, kwargs):
        calls.append(args)
        return reference_at(args, kwargs) * (1.0001 if np.ndim(args[0]) == 2 else 1)

    found = diagnose(odd, right, inputs(X, names=["X"]), reference_at=reference_at,
                     student_at=student_odd)  # fmt: skip
    assert kind(found) == "matrices"
    assert [np.shape(a[0]) for a in calls] == [(12,)]


def test_a_student_that_raises_on_the_simpler_input_tells_nothing_and_breaks_nothing():
    X = RNG.normal(size=(3, 4))

    def refuses(args, kwargs):
        raise NoAnswer("ValueError")

    found = diagnose(1.2345, 2.0, inputs(X, names=["X"]), reference_at=lambda a, k: 2.0,
                     student_at=refuses)  # fmt: skip
    assert found is None


def test_other_faults_of_the_students_side_are_not_swallowed():
    from sandbox import RunEnded
    from sandbox.results import RunOutcome

    X = RNG.normal(size=(3, 4))

    def ended(args, kwargs):
        raise RunEnded(RunOutcome(status="timeout"))

    with pytest.raises(RunEnded):
        diagnose(1.2345, 2.0, inputs(X, names=["X"]), reference_at=lambda a, k: 2.0,
                 student_at=ended)  # fmt: skip


def test_hostile_answers_are_bounded_and_never_raise():
    huge = np.zeros(10**6)
    assert diagnose(huge, np.ones(10**6), MSE) is None  # over MAX_ENTRIES: not looked at
    assert diagnose({"a": [1, "x", None]}, {"a": [1.0, 2.0]}, MSE) is None
    deep = current = []
    for _ in range(100):
        current.append([])
        current = current[0]
    assert diagnose(deep, [[1.0]], MSE) is None
    assert diagnose(10**400, 1.0, MSE) is not None  # an int beyond float: overflow


def test_an_answer_wrong_only_where_an_input_is_negative_or_only_in_one_row():
    x = RNG.normal(size=(4, 3))
    right = np.where(x > 0, 1.0, 0.0) * 2.5
    found = diagnose(np.full_like(x, 2.5), right, inputs(x, names=["x"]))
    assert kind(found) == "where_wrong"
    assert found.label in ("wrong where x is negative", "wrong where x is positive")
    last_row_off = right.copy()
    last_row_off[-1] += RNG.normal(size=3)
    assert diagnose(last_row_off, right, inputs(x, names=["x"])).label == "only the last row wrong"


def test_whole_numbers_are_not_read_as_factors_and_a_right_part_is_said():
    # stop epoch 6 where 4 is right, with patience 3: 1.5 = patience / 2 is a coincidence
    coincidence = diagnose((6, 3), (4, 3), inputs([0.5] * 8, 3, names=["val_losses", "patience"]))
    assert kind(coincidence) == "part_wrong"  # not "off by a factor of patience/2"
    off = diagnose((5, 3), (4, 3), inputs(3, names=["patience"]), outputs=("stop_epoch", "best"))
    assert kind(off) == "off_by_one"
    assert off.message.startswith("In stop_epoch: your answer is one more")
    loss, grad = 0.75, RNG.normal(size=(3, 2))
    found = diagnose((loss, grad + RNG.normal(size=grad.shape)), (loss, grad), inputs(),
                     outputs=("the loss", "the gradient"))  # fmt: skip
    assert kind(found) == "part_wrong"
    assert "(the gradient)" in found.message


def test_a_reference_slowed_by_a_changed_input_is_stopped():
    """The reference runs in this process: t = 10**9 for a reference that loops over t
    must not hang the worker (it is stopped after CALL_S)."""
    import time

    from judge.diagnose import CALL_S

    def slow(args, kwargs):
        w, t = args
        for _ in range(t):
            w = w * 1.0
        return w * t

    w = RNG.normal(size=3)
    started = time.monotonic()
    found = diagnose(w * 7.31, w * 5, inputs(w, 5, names=["w", "t"]), reference_at=slow)
    assert time.monotonic() - started < 10 * CALL_S
    assert kind(found) != "modified_input"  # never answered: no claim about t


def test_tiny_answers_are_compared_at_their_own_scale():
    # A loss of 2e-8 (inputs of scale 1e-4): 3e-10 is not "the square of the right one".
    assert kind(diagnose(3e-10, 2e-8, MSE)) != "square"
    tiny = RNG.normal(size=4) * 1e-10
    assert kind(diagnose(tiny * 3, tiny, MSE)) == "factor"  # not "all zeros"


def test_factors_near_one_and_plain_factors_first():
    e = RNG.normal(size=5)
    assert "multiplied by 1 + 4e-05" in diagnose(e * 1.00004, e, inputs()).message
    y = RNG.normal(size=(2, 3))  # rows 2, entries 6, columns 3: 3 is D, not N/2
    found = diagnose(RIGHT[:2, :3] * 3, RIGHT[:2, :3], inputs(y, y, names=["y_pred", "y_true"]))
    assert found.label == "off by a factor of D"


def test_one_number_in_disguise_is_no_evidence_for_a_loose_factor():
    # A constant loss curve (a run that does not move) and a pair (a, -a) (the biases of
    # a two-class output layer) are proportional to any other of their kind.
    flat = np.full(5, 0.699)
    assert diagnose(np.full(5, 2.44), flat, inputs()) is None
    pair = np.array([0.0119, -0.0119])
    assert kind(diagnose(np.array([0.0117, -0.0117]), pair, inputs())) != "factor"


def test_a_pair_a_minus_a_beside_an_unrelated_part_shows_no_loose_factor():
    # The output biases of a two-class layer are always (a, -a): any two are proportional.
    weights = RNG.normal(size=(3, 4))
    wrong_weights = RNG.normal(size=(3, 4))  # unrelated to the right ones
    biases = np.array([0.0119, -0.0119])
    found = diagnose(
        {"W": wrong_weights, "b": biases * 0.9829}, {"W": weights, "b": biases}, inputs()
    )
    assert kind(found) != "factor"


def test_a_specific_relation_on_a_scalar_part_is_still_named_beside_a_wrong_list():
    # clip-grad-norm without the square root: the total is the square of the right one,
    # and the clipped arrays are wrong too (by a factor nobody can name).
    grads = [RNG.normal(size=(3,)), RNG.normal(size=(2, 2))]
    total = float(np.sqrt(sum((g**2).sum() for g in grads)))
    right = ([g * 0.5 / total for g in grads], total)
    wrong = ([g * 0.5 / total**2 for g in grads], total**2)
    found = diagnose(
        wrong, right, inputs(grads, 0.5), outputs=("the clipped list", "the total norm")
    )
    assert kind(found) == "square"
    assert "total norm" in found.message
