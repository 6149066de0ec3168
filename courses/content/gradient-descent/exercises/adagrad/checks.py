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
    # gradients around 1e-5 are where eps inside or outside the square root matters most
    g_scale = d.choice([1e-6, 1e-5, 1e-5, 1e-3, 1.0, 1e3])
    grad = d.array(shape, scale=g_scale)
    # a sum of earlier squared gradients of about the same size: none, a few, or many
    earlier = d.choice([0.0, 1.0, 10.0, 10.0, 1000.0])
    sq_sum = np.abs(d.array(shape, scale=g_scale**2)) * earlier
    lr = d.choice([1e-3, 1e-2, 0.1, 0.5])
    if d.boolean():
        return call(w, grad, sq_sum, lr, eps=d.choice([1e-8, 1e-6, 1e-10]))
    return call(w, grad, sq_sum, lr)


def fresh_sum(d):
    """sq_sum = 0 and gradients of every size from 1e-4 to 100."""
    shape = d.shape(min_dims=1, max_dims=2, max_side=6)
    magnitude = 10.0 ** d.uniform_array(shape, -4.0, 2.0)
    magnitude.flat[0] = d.choice([1e-4, 3e-4])
    sign = np.where(d.uniform_array(shape, 0.0, 1.0) < 0.5, -1.0, 1.0)
    lr = d.choice([1e-3, 0.01, 0.1])
    return call(d.array(shape), sign * magnitude, np.zeros(shape), lr)


def repeats(d):
    """One gradient, applied twice in a row from a drawn sum."""
    shape = d.shape(min_dims=1, max_dims=2, max_side=6)
    grad = d.array(shape, scale=d.choice([1e-3, 1.0, 10.0]))
    earlier = d.choice([0.0, 0.0, 1.0, 100.0])
    sq_sum = np.abs(d.array(shape, scale=1.0)) * earlier
    return call(d.array(shape), grad, sq_sum, d.choice([0.01, 0.1, 0.5]))


def frozen(d):
    c = states(d)
    return call(c.args[0], c.args[1], c.args[2], 0.0, **c.kwargs)


def _pair(c, out):
    return arrays_like(out, c.args[0], ("new_w", "new_sq_sum"), "adagrad_step")


def first_step_is_about_lr(c, out):
    pair, problem = _pair(c, out)
    if problem:
        return problem
    w, grad, _, lr = c.args
    moved = np.abs(pair[0] - w)
    bad = np.flatnonzero(~np.isclose(moved.ravel(), lr, rtol=1e-3, atol=0.0))
    if bad.size == 0:
        return None
    i = int(bad[0])
    return (
        "starting from sq_sum = 0 the sum becomes grad ** 2, so each weight moves by "
        f"lr * |grad| / (|grad| + eps), about lr = {lr:g} whatever the gradient's size; "
        f"for a gradient of {grad.ravel()[i]:.3g} your weight moved by {moved.ravel()[i]:.4g}"
    )


def twice(driver, c):
    w, grad, sq_sum, lr = c.args
    first = driver.call("adagrad_step", w, grad, sq_sum, lr, **c.kwargs)
    w1, s1 = first
    second = driver.call("adagrad_step", w1, grad, s1, lr, **c.kwargs)
    return first, second


def steps_never_grow(c, out):
    first, second = out
    pair, problem = _pair(c, first)
    if problem:
        return problem
    if not isinstance(second, tuple | list) or len(second) != 2:
        return "adagrad_step must return a pair (new_w, new_sq_sum)"
    w = c.args[0]
    w1 = np.asarray(pair[0], dtype=np.float64)
    w2 = np.asarray(second[0], dtype=np.float64)
    if w2.shape != w.shape:
        return f"new_w must be an array shaped like w {w.shape}, not {w2.shape}"
    step1, step2 = np.abs(w1 - w), np.abs(w2 - w1)
    slack = 1e-9 * step1 + 1e-12 * (1.0 + np.abs(w1))
    grew = np.flatnonzero((step2 > step1 + slack).ravel())
    if grew.size == 0:
        return None
    i = int(grew[0])
    return (
        "the sum of squared gradients only grows, so the same gradient twice in a row must give "
        f"a second step no larger than the first; for a gradient of {c.args[1].ravel()[i]:.3g} "
        f"your first step was {step1.ravel()[i]:.4g} and your second {step2.ravel()[i]:.4g}"
    )


def lr_zero_keeps_w(c, out):
    pair, problem = _pair(c, out)
    if problem:
        return problem
    if np.array_equal(pair[0], c.args[0]):
        return None
    return "with lr = 0 the weights must not move (the sum of squared gradients still grows)"


def keeps_shapes(c, out):
    _, problem = _pair(c, out)
    return problem


VALLEY = test_function("narrow_valley", scale=25.0)


def descent_path(driver, start, steps, lr):
    return optimizer_path(driver, "adagrad_step", VALLEY, start, steps, state=1, args=(lr,))


CHECKS = [
    ReferenceCheck(
        "matches the reference on random states (gradients from 1e-6 to 1e3, sums from empty to long)",
        states,
        cases=25,
        points=5,
        outputs=("the new w", "the new sq_sum"),
    ),
    PropertyCheck(
        "from an empty sum every weight moves by about lr, even for tiny gradients",
        fresh_sum,
        first_step_is_about_lr,
        cases=3,
        points=2,
    ),
    PropertyCheck(
        "the same gradient twice: the second step is no larger than the first",
        repeats,
        steps_never_grow,
        cases=3,
        points=1,
        observe=twice,
    ),
    PropertyCheck(
        "with lr = 0 the weights do not move", frozen, lr_zero_keeps_w, cases=2, points=1
    ),
    PropertyCheck("keeps the shape of w", states, keeps_shapes, cases=2, points=1),
    NoMutationCheck("does not modify w, grad or sq_sum", states, cases=3),
    Figure(
        "your AdaGrad against the reference on a narrow valley",
        (np.array([-1.5, 1.0]), 60, 0.3),
        descent_path,
        surface=VALLEY,
    ),
]
