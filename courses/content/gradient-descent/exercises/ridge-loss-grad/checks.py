import numpy as np

from judge.checks import GradientCheck, NoMutationCheck, PropertyCheck, ReferenceCheck, call


def problems(d):
    n, dim = d.integers(1, 10), d.integers(1, 5)
    X = d.array((n, dim), scale=d.choice([0.1, 1.0, 10.0]))
    w = d.array((dim,), scale=d.choice([0.01, 1.0, 10.0]))
    y = d.array((n,), scale=d.choice([0.1, 1.0, 100.0]))
    return call(w, X, y, d.choice([0.0, 1e-3, 0.1, 1.0, 10.0]))


def moderate(d):
    n, dim = d.integers(1, 8), d.integers(1, 4)
    return call(d.array((dim,)), d.array((n, dim)), d.array((n,)), d.choice([0.01, 0.5, 3.0]))


def perfect_fit(d):
    n, dim = d.integers(1, 8), d.integers(1, 4)
    X = d.array((n, dim))
    w = d.array((dim,), scale=d.choice([0.5, 3.0]))
    return call(w, X, X @ w, d.choice([0.1, 1.0, 5.0]))


def ridge_loss(c):
    w, X, y, lam = c.args
    residual = X @ w - y
    return float(np.mean(residual**2) + lam * np.sum(w**2))


def the_gradient(out):
    return out[1]


def _unpack(c, out):
    w = c.args[0]
    if not isinstance(out, tuple | list) or len(out) != 2:
        return None, "ridge_loss_and_grad must return a pair (loss, grad)"
    loss, grad = out
    if isinstance(loss, np.ndarray) and loss.shape == ():
        loss = float(loss)
    if isinstance(loss, bool) or not isinstance(loss, int | float):
        return None, "the loss must be a single number"
    if not isinstance(grad, np.ndarray) or grad.shape != w.shape:
        shape = grad.shape if isinstance(grad, np.ndarray) else type(grad).__name__
        return None, f"the gradient must be an array shaped like w {w.shape}, not {shape}"
    return (float(loss), grad), None


def only_the_penalty_left(c, out):
    parts, problem = _unpack(c, out)
    if problem:
        return problem
    loss, grad = parts
    w, _, _, lam = c.args
    penalty, expected = lam * float(np.sum(w * w)), 2.0 * lam * w
    if not np.isclose(loss, penalty, rtol=1e-6, atol=1e-9):
        return (
            "when X @ w fits y exactly the data term is 0, so the loss is just the penalty "
            f"lam * sum(w ** 2) = {penalty:.6g}, but yours is {loss:.6g}"
        )
    if not np.allclose(grad, expected, rtol=1e-6, atol=1e-8):
        return (
            "when X @ w fits y exactly only the penalty pulls on w, so the gradient is 2 * lam * w = "
            f"{np.round(expected, 6).tolist()}, but yours is {np.round(grad, 6).tolist()}"
        )
    return None


def keeps_shape(c, out):
    _, problem = _unpack(c, out)
    return problem


CHECKS = [
    ReferenceCheck(
        "matches the reference on random problems (lam from 0 to 10)",
        problems,
        cases=25,
        points=4,
        outputs=("the loss", "the gradient"),
    ),
    GradientCheck(
        "the gradient matches finite differences of the ridge loss",
        moderate,
        ridge_loss,
        wrt=0,
        grad_of=the_gradient,
        cases=4,
        points=2,
    ),
    PropertyCheck(
        "at a perfect fit only the penalty is left (loss lam * |w|^2, gradient 2 lam w)",
        perfect_fit,
        only_the_penalty_left,
        cases=3,
        points=2,
    ),
    PropertyCheck(
        "returns a number and a gradient shaped like w", problems, keeps_shape, cases=2, points=1
    ),
    NoMutationCheck("does not modify w, X or y", problems, cases=3),
]
