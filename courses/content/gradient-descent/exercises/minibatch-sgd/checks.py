import numpy as np

from judge.checks import NoMutationCheck, PropertyCheck, ReferenceCheck, call


def _problem(d, n):
    dim = d.integers(1, 4)
    X = d.array((n, dim), scale=d.choice([0.3, 1.0, 5.0]))
    y = X @ d.array((dim,), scale=2.0) + d.array((n,), scale=d.choice([0.0, 0.5]))
    w0 = d.array((dim,), scale=d.choice([0.0, 1.0]))
    return X, y, w0


def _stable_lr(X, fraction):
    # one batch's curvature is at most 2 * the largest squared row norm, whatever its size
    return fraction / (2.0 * float(np.max(np.sum(X * X, axis=1))) + 1e-12)


def runs(d):
    """N is usually not a multiple of the batch size, so the last batch is short."""
    batch_size = d.integers(1, 6)
    n = batch_size * d.integers(1, 5) + d.choice(
        [0, 1, 2, 3, batch_size - 1 if batch_size > 1 else 1]
    )
    X, y, w0 = _problem(d, n)
    lr = _stable_lr(X, d.choice([0.05, 0.3, 0.8]))
    return call(X, y, w0, lr, batch_size, d.integers(2, 5), d.seed())


def frozen(d):
    batch_size = d.integers(1, 5)
    X, y, w0 = _problem(d, batch_size * d.integers(1, 4) + 1)
    w0 = w0 + d.array(w0.shape)
    return call(X, y, w0, 0.0, batch_size, d.integers(1, 4), d.seed())


def whole_batch(d):
    n = d.integers(1, 10)
    X, y, w0 = _problem(d, n)
    return call(X, y, w0, _stable_lr(X, 0.5), n, d.integers(1, 4), d.seed())


def _weights(c, out):
    w0 = c.args[2]
    if not isinstance(out, np.ndarray):
        return (
            None,
            f"minibatch_sgd must return the final weights as a numpy array, not {type(out).__name__}",
        )
    if out.shape != w0.shape:
        return (
            None,
            f"the weights must keep the shape of w0 {w0.shape}, but yours have shape {out.shape}",
        )
    return out, None


def lr_zero_returns_w0(c, out):
    w, problem = _weights(c, out)
    if problem:
        return problem
    if np.array_equal(w, c.args[2]):
        return None
    return (
        f"with lr = 0 no step moves the weights, so the result must be w0 = "
        f"{np.round(c.args[2], 6).tolist()}, but yours is {np.round(w, 6).tolist()}"
    )


def full_batch_is_gradient_descent(c, out):
    w, problem = _weights(c, out)
    if problem:
        return problem
    X, y, w0, lr, _, epochs, _ = c.args
    expected = w0.astype(np.float64)
    for _ in range(epochs):
        expected = expected - lr * (2.0 / len(y)) * (X.T @ (X @ expected - y))
    if np.allclose(w, expected, rtol=1e-6, atol=1e-8):
        return None
    return (
        "with batch_size = N every epoch is one full-batch gradient step, w -= lr * (2 / N) * "
        f"X.T @ (X @ w - y); after {epochs} epoch(s) that gives {np.round(expected, 6).tolist()}, "
        f"but yours gives {np.round(w, 6).tolist()}"
    )


def keeps_shape(c, out):
    _, problem = _weights(c, out)
    return problem


CHECKS = [
    ReferenceCheck(
        "matches the reference (short last batch, 2 to 4 epochs, fresh shuffle each epoch)",
        runs,
        cases=25,
        points=6,
    ),
    PropertyCheck(
        "with lr = 0 the weights stay at w0", frozen, lr_zero_returns_w0, cases=3, points=2
    ),
    PropertyCheck(
        "one batch of everything is plain gradient descent",
        whole_batch,
        full_batch_is_gradient_descent,
        cases=3,
        points=2,
    ),
    PropertyCheck("returns weights shaped like w0", runs, keeps_shape, cases=2, points=1),
    NoMutationCheck("does not modify X, y or w0", runs, cases=3),
]
