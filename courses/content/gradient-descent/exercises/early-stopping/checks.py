from numbers import Integral

import numpy as np

from judge.checks import NoMutationCheck, PropertyCheck, ReferenceCheck, call


def _curve(d, n):
    """A validation curve that falls, flattens and wobbles, rounded to a grid so that
    ties (equal losses) really happen."""
    grid = d.choice([0.01, 0.25])
    epochs = np.arange(n)
    start, floor = d.floats(1.0, 5.0), d.floats(0.0, 1.0)
    curve = floor + (start - floor) * np.exp(-epochs / d.floats(1.0, 8.0))
    curve = curve + d.floats(0.0, 0.05) * np.maximum(epochs - d.integers(0, n), 0)  # overfitting
    curve = curve + d.array((n,), scale=d.choice([0.0, 0.02, 0.1, 0.2, 0.3]))
    if n > 3 and d.boolean():
        at = d.integers(1, n - 2)
        curve[at:] = curve[at]  # a plateau
    return np.round(curve / grid) * grid, grid


def runs(d):
    # long enough to tell the known mistakes apart; short lists are in the other checks
    n = d.integers(4, 30)
    losses, grid = _curve(d, n)
    patience = d.choice([1, 2, 3, 3, 4, 5, 6])
    kwargs = {}
    if d.integers(0, 3) > 0:
        # between grid points, so that "< best - min_delta" and "<= best - min_delta" agree
        # and ties (with min_delta = 0) tell strict from non-strict comparisons apart
        kwargs["min_delta"] = grid * d.choice([0.0, 0.5, 1.5, 2.5])
    values = losses if d.boolean() else [float(v) for v in losses]
    return call(values, patience, **kwargs)


def as_arrays(d):
    c = runs(d)
    return call(np.asarray(c.args[0], dtype=np.float64), *c.args[1:], **c.kwargs)


def plateaus(d):
    patience = d.integers(1, 5)
    value = d.floats(0.1, 3.0)
    return call([value] * (patience + d.integers(1, 5)), patience)


def improving(d):
    n = d.integers(1, 20)
    min_delta = d.choice([0.0, 0.01, 0.1])
    steps = min_delta + d.uniform_array((n,), 0.01, 0.5)
    return call([float(v) for v in 10.0 - np.cumsum(steps)], d.integers(1, 4), min_delta=min_delta)


def _pair(out):
    if not isinstance(out, tuple | list) or len(out) != 2:
        return None, "early_stopping must return a pair (stop_epoch, best_epoch)"
    if not all(isinstance(v, Integral) and not isinstance(v, bool) for v in out):
        return None, "stop_epoch and best_epoch must be integers (epoch indices)"
    return (int(out[0]), int(out[1])), None


def flat_stops_after_patience(c, out):
    pair, problem = _pair(out)
    if problem:
        return problem
    patience = c.args[1]
    if pair == (patience, 0):
        return None
    return (
        f"on a flat curve (every loss equal to {c.args[0][0]:.4g}) only epoch 0 improves: a tie is "
        f"not an improvement. With patience {patience} the run must stop at epoch {patience} with "
        f"best epoch 0, but yours returns {pair}"
    )


def stops_patience_after_best(c, out):
    pair, problem = _pair(out)
    if problem:
        return problem
    stop, best = pair
    last = len(c.args[0]) - 1
    patience = c.args[1]
    if not 0 <= best <= stop <= last:
        return (
            f"the epochs must satisfy 0 <= best_epoch <= stop_epoch <= {last} (the last index), "
            f"but yours are best_epoch = {best}, stop_epoch = {stop}"
        )
    if stop == last or stop - best == patience:
        return None
    return (
        f"a run that stops early stops exactly patience = {patience} epochs after its best epoch; "
        f"yours stops at {stop} with best epoch {best}"
    )


def never_stops_when_improving(c, out):
    pair, problem = _pair(out)
    if problem:
        return problem
    last = len(c.args[0]) - 1
    if pair == (last, last):
        return None
    return (
        "every epoch beats the best so far by more than min_delta, so the run never stops early: "
        f"the answer is (last index, last index) = ({last}, {last}), but yours is {pair}"
    )


CHECKS = [
    ReferenceCheck(
        "matches the reference on random validation curves (ties, plateaus, min_delta)",
        runs,
        cases=40,
        points=5,
        outputs=("stop_epoch", "best_epoch"),
    ),
    PropertyCheck(
        "a flat curve stops after exactly patience epochs (ties do not count)",
        plateaus,
        flat_stops_after_patience,
        cases=3,
        points=2,
    ),
    PropertyCheck(
        "stops exactly patience epochs after the best epoch, or at the last epoch",
        runs,
        stops_patience_after_best,
        cases=8,
        points=2,
    ),
    PropertyCheck(
        "a steadily improving curve never stops early",
        improving,
        never_stops_when_improving,
        cases=3,
        points=1,
    ),
    NoMutationCheck("does not modify val_losses", as_arrays, cases=3),
]
