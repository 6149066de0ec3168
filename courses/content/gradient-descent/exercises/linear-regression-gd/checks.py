import numpy as np

from judge.checks import Figure, NoMutationCheck, PropertyCheck, ReferenceCheck, call


def _data(d, n, dim):
    X = d.array((n, dim), scale=d.choice([0.1, 1.0, 10.0])) + d.choice([0.0, 0.0, 5.0])
    true_w = d.array((dim,), scale=2.0)
    y = X @ true_w + d.floats(-3.0, 3.0) + d.array((n,), scale=d.choice([0.0, 0.1, 1.0]))
    return X, y


def _stable_lr(X, fraction):
    """fraction / (largest curvature of the MSE in (w, b)); descent is stable below 2."""
    A = np.hstack([X, np.ones((X.shape[0], 1))])
    curvature = 2.0 * np.linalg.eigvalsh(A.T @ A / X.shape[0]).max()
    return fraction / curvature


def fits(d):
    n = d.integers(1, 12)
    dim = d.integers(1, 4)
    X, y = _data(d, n, dim)
    lr = _stable_lr(X, d.choice([0.05, 0.3, 0.9, 1.5]))
    return call(X, y, lr, d.integers(1, 30))


def frozen(d):
    n = d.integers(2, 10)
    X, y = _data(d, n, d.integers(1, 4))
    return call(X, y, 0.0, d.integers(1, 8))


def normalized(out):
    """(w, b, losses) with w and losses as float arrays and b as a float: a list of losses
    and an array of losses are the same answer."""
    if not isinstance(out, tuple | list) or len(out) != 3:
        return out
    w, b, losses = out
    try:
        w = np.asarray(w, dtype=np.float64)
        b = float(np.asarray(b, dtype=np.float64).reshape(()))
        losses = np.asarray(losses, dtype=np.float64)
    except (TypeError, ValueError):
        return out
    return (w, b, losses)


def observe(driver, c):
    return normalized(driver.call("fit_linear_regression", *c.args))


def _parts(c, out):
    if not isinstance(out, tuple) or len(out) != 3 or not isinstance(out[0], np.ndarray):
        return None, "fit_linear_regression must return (w, b, losses)"
    w, b, losses = out
    dim = c.args[0].shape[1]
    if w.shape != (dim,):
        return None, f"w must have shape ({dim},), one weight per column of X, not {w.shape}"
    if losses.shape != (c.args[3],):
        return None, (
            f"losses must hold exactly one value per epoch ({c.args[3]}), but yours has shape {losses.shape}"
        )
    return (w, b, losses), None


def lr_zero_changes_nothing(c, out):
    parts, problem = _parts(c, out)
    if problem:
        return problem
    w, b, losses = parts
    if np.any(w != 0) or b != 0:
        return f"with lr = 0 the model must stay at w = 0, b = 0, but yours ended at w = {np.round(w, 6).tolist()}, b = {b:.6g}"
    start = float(np.mean(c.args[1] ** 2))
    if not np.allclose(losses, start, rtol=1e-9, atol=0):
        return (
            "with lr = 0 every recorded loss is the loss of the all-zero model, mean(y ** 2) = "
            f"{start:.6g}, but yours are {np.round(losses, 6).tolist()}"
        )
    return None


def one_loss_per_epoch(c, out):
    _, problem = _parts(c, out)
    return problem


def loss_curve(driver, X, y, lr, epochs):
    out = normalized(driver.call("fit_linear_regression", X, y, lr, epochs))
    if not isinstance(out, tuple) or not isinstance(out[2], np.ndarray) or out[2].ndim != 1:
        return {"loss": None}
    return {"loss": out[2].tolist()}


_curve_rng = np.random.default_rng(20240611)
CURVE_X = _curve_rng.normal(2.0, 1.5, size=(40, 2))
CURVE_Y = CURVE_X @ np.array([1.5, -0.7]) + 3.0 + _curve_rng.normal(0.0, 0.5, size=40)


CHECKS = [
    ReferenceCheck(
        "matches the reference (w, b and the loss curve) on random data sets and learning rates",
        fits,
        cases=25,
        points=5,
        observe=observe,
        outputs=("w", "b", "losses"),
    ),
    PropertyCheck(
        "with lr = 0 nothing moves from w = 0, b = 0",
        frozen,
        lr_zero_changes_nothing,
        observe=observe,
        cases=3,
        points=2,
    ),
    PropertyCheck(
        "returns one weight per feature and one loss per epoch",
        fits,
        one_loss_per_epoch,
        observe=observe,
        cases=3,
        points=1,
    ),
    NoMutationCheck("does not modify X or y", fits, cases=3),
    Figure(
        "your loss curve against the reference",
        (CURVE_X, CURVE_Y, 0.02, 60),
        loss_curve,
        kind="loss_curve",
    ),
]
