import numpy as np

from judge.checks import (
    Figure,
    NoMutationCheck,
    PropertyCheck,
    ReferenceCheck,
    call,
    test_function,
)


def _gradient_and_safe_lr(d, dim):
    """A named gradient to descend and the largest curvature it has (for a stable step)."""
    kind = d.choice(
        ["narrow_valley", "narrow_valley", "quadratic", "sum_of_squares", "tanh_sum", "rosenbrock"]
    )
    if kind == "narrow_valley":
        scale = d.choice([1.0, 10.0, 100.0])
        return test_function(kind, gradient=True, scale=scale), 2.0 * scale
    if kind == "quadratic":
        m = d.array((dim, dim))
        a = m @ m.T + 0.5 * np.eye(dim)
        return test_function(kind, gradient=True, A=a, b=d.array((dim,))), float(
            np.linalg.eigvalsh(a).max()
        )
    if kind == "sum_of_squares":
        return test_function(kind, gradient=True, center=d.array((dim,), scale=3.0)), 2.0
    if kind == "tanh_sum":
        return test_function(kind, gradient=True), 1.0
    return test_function(kind, gradient=True), 1000.0


def runs(d):
    dim = d.integers(1, 5)
    grad_fn, curvature = _gradient_and_safe_lr(d, dim)
    x0 = d.array((dim,), scale=d.choice([0.1, 1.0, 3.0]))
    if grad_fn.name == "rosenbrock.grad":
        x0 = np.clip(x0, -1.5, 1.5)
    # from a cautious crawl to a bouncy step just below the stability limit
    lr = d.choice([0.01, 0.1, 0.5, 0.9]) / curvature
    steps = d.integers(0, 25)
    return call(grad_fn, x0, lr, steps)


def frozen(d):
    dim = d.integers(1, 5)
    grad_fn, _ = _gradient_and_safe_lr(d, dim)
    return call(grad_fn, d.array((dim,), scale=2.0), 0.0, d.integers(1, 10))


def _path(c, out):
    x0, steps = c.args[1], c.args[3]
    if not isinstance(out, np.ndarray):
        return None, f"gradient_descent must return a numpy array, not {type(out).__name__}"
    expected = (steps + 1, x0.shape[0])
    if out.shape != expected:
        return None, (
            f"the trajectory must have shape (steps + 1, d) = {expected}: one row for x0 and one per "
            f"step, but yours has shape {out.shape}"
        )
    return out, None


def lr_zero_stays_put(c, out):
    """Only about not moving: the number of rows is the other checks' business, so a path
    of the wrong length that stays at x0 passes here."""
    x0 = c.args[1]
    if not isinstance(out, np.ndarray) or out.ndim not in (1, 2) or out.shape[-1] != x0.shape[0]:
        shape = out.shape if isinstance(out, np.ndarray) else type(out).__name__
        return f"gradient_descent must return an array of points with {x0.shape[0]} coordinates each, not {shape}"
    points = out.reshape(-1, x0.shape[0])
    moved = np.flatnonzero(~np.all(points == x0, axis=1))
    if moved.size == 0:
        return None
    row = int(moved[0])
    return (
        f"with lr = 0 descent must leave the point where it is, but row {row} of your path is "
        f"{np.round(points[row], 6).tolist()} instead of x0 = {np.round(x0, 6).tolist()}"
    )


def starts_at_x0(c, out):
    path, problem = _path(c, out)
    if problem:
        return problem
    if np.array_equal(path[0], c.args[1]):
        return None
    return f"the first row of the trajectory must be x0 itself, but it is {np.round(path[0], 6).tolist()}"


VALLEY = test_function("narrow_valley", scale=25.0)
VALLEY_GRADIENT = test_function("narrow_valley", gradient=True, scale=25.0)


def descent_path(driver, start, steps, lr):
    from sandbox import testfns

    surface = testfns.build(VALLEY)
    path = np.asarray(driver.call("gradient_descent", VALLEY_GRADIENT, start, lr, steps))
    if path.ndim != 2 or path.shape[1] != 2 or not np.issubdtype(path.dtype, np.number):
        return {"path": None, "loss": None}
    path = path.astype(np.float64)
    losses = [float(surface(p)) if np.all(np.isfinite(p)) else None for p in path]
    return {"path": path.tolist(), "loss": losses}


CHECKS = [
    ReferenceCheck(
        "matches the reference path (several functions, 1 to 5 dimensions, 0 to 25 steps)",
        runs,
        cases=25,
        points=5,
    ),
    PropertyCheck(
        "with lr = 0 the point never moves", frozen, lr_zero_stays_put, cases=3, points=2
    ),
    PropertyCheck("returns steps + 1 rows starting with x0", runs, starts_at_x0, cases=3, points=1),
    NoMutationCheck("does not modify x0", runs, cases=3),
    Figure(
        "your descent against the reference on a narrow valley",
        (np.array([-1.5, 1.0]), 60, 0.035),
        descent_path,
        surface=VALLEY,
    ),
]
