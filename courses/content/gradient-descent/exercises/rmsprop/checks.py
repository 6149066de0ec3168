import numpy as np

from judge.checks import (
    Figure,
    NoMutationCheck,
    PropertyCheck,
    ReferenceCheck,
    arrays_like,
    call,
    optimizer_path,
    test_function,
)


def states(d):
    shape = d.shape(min_dims=1, max_dims=3, max_side=5)
    w = d.array(shape, scale=d.choice([0.1, 1.0, 10.0]))
    # gradients around 1e-5 are where eps inside or outside the square root matters
    g_scale = d.choice([1e-6, 1e-5, 1e-5, 1e-3, 1.0, 1e3])
    grad = d.array(shape, scale=g_scale)
    sq_avg = np.abs(d.array(shape, scale=g_scale**2)) * d.choice([0.0, 1.0, 1.0])
    lr = d.choice([1e-4, 1e-3, 1e-2, 0.1])
    kwargs = {}
    if d.boolean():
        kwargs["alpha"] = d.choice([0.9, 0.99, 0.999])
    if d.boolean():
        kwargs["eps"] = d.choice([1e-8, 1e-6])
    return call(w, grad, sq_avg, lr, **kwargs)


def fresh_average(d):
    """sq_avg = 0 and gradients of every size from 1e-5 to 100."""
    shape = d.shape(min_dims=1, max_dims=2, max_side=6)
    magnitude = 10.0 ** d.uniform_array(shape, -5.0, 2.0)
    magnitude.flat[0] = d.choice([1e-5, 3e-5])
    sign = np.where(d.uniform_array(shape, 0.0, 1.0) < 0.5, -1.0, 1.0)
    lr = d.choice([1e-3, 0.01, 0.1])
    alpha = d.choice([0.9, 0.99])
    return call(d.array(shape), sign * magnitude, np.zeros(shape), lr, alpha=alpha)


def frozen(d):
    c = states(d)
    return call(c.args[0], c.args[1], c.args[2], 0.0, **c.kwargs)


def _pair(c, out):
    return arrays_like(out, c.args[0], ("new_w", "new_sq_avg"), "rmsprop_step")


def step_ignores_gradient_size(c, out):
    pair, problem = _pair(c, out)
    if problem:
        return problem
    w, grad, _, lr = c.args
    alpha = c.kwargs["alpha"]
    expected = lr / np.sqrt(1.0 - alpha)
    moved = np.abs(pair[0] - w)
    bad = np.flatnonzero(~np.isclose(moved.ravel(), expected, rtol=0.05, atol=0.0))
    if bad.size == 0:
        return None
    i = int(bad[0])
    return (
        "starting from sq_avg = 0, RMSProp divides each gradient by its own size, so every weight "
        f"moves by about lr / sqrt(1 - alpha) = {expected:.4g} whatever the gradient; for a gradient "
        f"of {grad.ravel()[i]:.3g} your weight moved by {moved.ravel()[i]:.4g}"
    )


def lr_zero_keeps_w(c, out):
    pair, problem = _pair(c, out)
    if problem:
        return problem
    if np.array_equal(pair[0], c.args[0]):
        return None
    return "with lr = 0 the weights must not move (the average of squared gradients still updates)"


def keeps_shapes(c, out):
    _, problem = _pair(c, out)
    return problem


VALLEY = test_function("narrow_valley", scale=25.0)


def descent_path(driver, start, steps, lr):
    return optimizer_path(
        driver, "rmsprop_step", VALLEY, start, steps, state=1, args=(lr,), alpha=0.9
    )


CHECKS = [
    ReferenceCheck(
        "matches the reference on random states (gradients from 1e-6 to 1e3)",
        states,
        cases=25,
        points=5,
        outputs=("the new w", "the new sq_avg"),
    ),
    PropertyCheck(
        "from a zero average every weight moves by about lr / sqrt(1 - alpha), even for tiny gradients",
        fresh_average,
        step_ignores_gradient_size,
        cases=3,
        points=2,
    ),
    PropertyCheck(
        "with lr = 0 the weights do not move", frozen, lr_zero_keeps_w, cases=2, points=1
    ),
    PropertyCheck("keeps the shape of w", states, keeps_shapes, cases=2, points=1),
    NoMutationCheck("does not modify w, grad or sq_avg", states, cases=3),
    Figure(
        "your RMSProp against the reference on a narrow valley",
        (np.array([-1.5, 1.0]), 60, 0.05),
        descent_path,
        surface=VALLEY,
    ),
]
