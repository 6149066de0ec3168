import numpy as np

from judge.checks import GradientCheck, NoMutationCheck, PropertyCheck, ReferenceCheck, call


def pairs(d):
    shape = d.shape(min_dims=1, max_dims=3, max_side=6)
    scale = d.choice([1e-6, 1e-2, 1.0, 1e3, 1e6])
    return call(d.array(shape, scale=scale), d.array(shape, scale=scale))


def moderate_pairs(d):
    shape = d.shape(min_dims=1, max_dims=3, max_side=4)
    return call(d.array(shape), d.array(shape))


def mse(c):
    y_pred, y_true = c.args
    return float(np.mean((np.asarray(y_pred) - np.asarray(y_true)) ** 2))


def _as_array(out):
    return out if isinstance(out, np.ndarray) else None


def keeps_shape(c, out):
    y_pred = c.args[0]
    got = _as_array(out)
    if got is None:
        return f"mse_grad must return a numpy array shaped like y_pred {y_pred.shape}, not {type(out).__name__}"
    if got.shape != y_pred.shape:
        return (
            f"the gradient must have the same shape as y_pred: y_pred has shape {y_pred.shape} "
            f"but your gradient has shape {got.shape}"
        )
    return None


def too_high(d):
    shape = d.shape(min_dims=1, max_dims=2, max_side=5)
    y_true = d.array(shape)
    miss = d.uniform_array(shape, 0.1, 2.0) * np.where(
        d.uniform_array(shape, 0, 1) < 0.5, -1.0, 1.0
    )
    return call(y_true + miss, y_true)


def points_uphill(c, out):
    y_pred, y_true = c.args
    got = _as_array(out)
    if got is None or got.shape != y_pred.shape:
        return "mse_grad must return an array shaped like y_pred"
    expected = np.sign(y_pred - y_true)
    wrong = np.argwhere(np.sign(got) != expected)
    if wrong.size == 0:
        return None
    index = tuple(int(i) for i in wrong[0])
    return (
        "the gradient must be positive where the prediction is too high and negative where it "
        f"is too low: at index {index} the prediction {y_pred[index]:.4g} vs target "
        f"{y_true[index]:.4g} got gradient {got[index]:.4g}"
    )


CHECKS = [
    ReferenceCheck(
        "matches the reference on random arrays (1-D to 3-D, tiny to huge values)",
        pairs,
        cases=25,
        points=4,
    ),
    GradientCheck(
        "matches finite differences of the mean squared error",
        moderate_pairs,
        mse,
        wrt=0,
        cases=4,
        points=2,
    ),
    PropertyCheck("keeps the shape of y_pred", pairs, keeps_shape, cases=3, points=1),
    PropertyCheck(
        "is positive where the prediction is too high (points uphill)",
        too_high,
        points_uphill,
        cases=3,
        points=1,
    ),
    NoMutationCheck("does not modify y_pred or y_true", pairs, cases=3),
]
