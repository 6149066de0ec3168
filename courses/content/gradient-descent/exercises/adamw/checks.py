import numpy as np

from judge.checks import (
    Figure,
    NoMutationCheck,
    PropertyCheck,
    ReferenceCheck,
    call,
    optimizer_path,
    test_function,
)


def states(d):
    shape = d.shape(min_dims=1, max_dims=3, max_side=5)
    w = d.array(shape, scale=d.choice([0.1, 1.0, 10.0]))
    grad = d.array(shape, scale=d.choice([1e-6, 1e-2, 1.0, 1e3]))
    m = d.array(shape, scale=0.1)
    # v >= m ** 2, as for real Adam states: no step divides by a zero v_hat
    v = m * m + np.abs(d.array(shape, scale=0.1))
    t = d.choice([1, 2, 3, 10, 100, 5000])
    if d.integers(0, 4) == 0:
        return call(w, grad, m, v, t)
    # lr * weight_decay up to 0.3: large enough that decaying before or after the Adam
    # step, or with or without lr, gives visibly different weights
    kwargs = {
        "lr": d.choice([1e-3, 0.01, 0.1, 0.3]),
        "weight_decay": d.choice([0.0, 0.01, 0.1, 0.5, 1.0]),
    }
    if d.boolean():
        kwargs.update(beta1=d.choice([0.8, 0.9, 0.95]), beta2=d.choice([0.99, 0.999, 0.9999]))
    return call(w, grad, m, v, t, **kwargs)


def decaying_states(d):
    """Like states, always with some decay: a function that shrinks the caller's w in place
    only shows when there is something to shrink."""
    c = states(d)
    return call(*c.args, **{**c.kwargs, "weight_decay": d.choice([0.01, 0.1, 0.5])})


def first_step(d):
    shape = d.shape(min_dims=1, max_dims=2, max_side=6)
    grad = d.array(shape, scale=d.choice([1e-3, 1.0, 100.0]))
    grad = np.where(np.abs(grad) < 1e-3, 1e-3, grad)
    lr = d.choice([1e-3, 0.01, 0.1])
    zeros = np.zeros(shape)
    return call(d.array(shape), grad, zeros, zeros.copy(), 1, lr=lr, weight_decay=0.0)


def decay_only(d):
    shape = d.shape(min_dims=1, max_dims=2, max_side=6)
    zeros = np.zeros(shape)
    return call(
        d.array(shape, scale=d.choice([0.5, 5.0])),
        zeros,
        zeros.copy(),
        zeros.copy(),
        d.choice([1, 7]),
        lr=d.choice([0.01, 0.1, 0.5]),
        weight_decay=d.choice([0.1, 0.5, 1.0]),
    )


def frozen(d):
    c = states(d)
    return call(*c.args, **{**c.kwargs, "lr": 0.0})


def _new_w(c, out):
    w = c.args[0]
    if not isinstance(out, tuple | list) or len(out) != 3:
        return None, "adamw_step must return (w, m, v)"
    for name, value in zip(("the new w", "the new m", "the new v"), out, strict=True):
        if not isinstance(value, np.ndarray) or value.shape != w.shape:
            shape = value.shape if isinstance(value, np.ndarray) else type(value).__name__
            return None, f"{name} must be an array shaped like w {w.shape}, not {shape}"
    return out[0], None


def moves_by_about_lr(c, out):
    new_w, problem = _new_w(c, out)
    if problem:
        return problem
    lr = c.kwargs["lr"]
    moved = np.abs(new_w - c.args[0])
    if np.allclose(moved, lr, rtol=1e-3):
        return None
    return (
        f"on the first step (t = 1, m = v = 0, no weight decay) Adam moves every weight by about "
        f"lr = {lr}, but yours moved them by between {moved.min():.3g} and {moved.max():.3g}"
    )


def decay_is_decoupled(c, out):
    new_w, problem = _new_w(c, out)
    if problem:
        return problem
    w = c.args[0]
    lr, wd = c.kwargs["lr"], c.kwargs["weight_decay"]
    expected = w * (1.0 - lr * wd)
    if np.allclose(new_w, expected, rtol=1e-9, atol=1e-12):
        return None
    i = int(np.argmax(np.abs(new_w - expected)))
    return (
        "with a zero gradient (and m = v = 0) AdamW only shrinks the weights, "
        f"w * (1 - lr * weight_decay) = w * {1.0 - lr * wd:.4g}: the decay never goes through "
        f"m, v or the adaptive scaling. Weight {w.ravel()[i]:.4g} should become "
        f"{expected.ravel()[i]:.6g}, yours became {new_w.ravel()[i]:.6g}"
    )


def lr_zero_keeps_w(c, out):
    new_w, problem = _new_w(c, out)
    if problem:
        return problem
    if np.array_equal(new_w, c.args[0]):
        return None
    return "with lr = 0 neither the decay nor the Adam step may move the weights"


def keeps_shapes(c, out):
    _, problem = _new_w(c, out)
    return problem


VALLEY = test_function("narrow_valley", scale=25.0)


def descent_path(driver, start, steps, lr):
    return optimizer_path(
        driver,
        "adamw_step",
        VALLEY,
        start,
        steps,
        state=2,
        counts_steps=True,
        lr=lr,
        weight_decay=0.1,
    )


CHECKS = [
    ReferenceCheck(
        "matches the reference on random states (lr * weight_decay up to 0.3, t from 1 to 5000)",
        states,
        cases=25,
        points=6,
        outputs=("the new w", "m", "v"),
    ),
    PropertyCheck(
        "without weight decay the first step moves each weight by about lr",
        first_step,
        moves_by_about_lr,
        cases=3,
        points=2,
    ),
    PropertyCheck(
        "with a zero gradient the weights only shrink by (1 - lr * weight_decay)",
        decay_only,
        decay_is_decoupled,
        cases=3,
        points=2,
    ),
    PropertyCheck(
        "with lr = 0 the weights do not move", frozen, lr_zero_keeps_w, cases=2, points=1
    ),
    PropertyCheck("keeps the shapes of w, m and v", states, keeps_shapes, cases=2, points=1),
    NoMutationCheck("does not modify w, grad, m or v", decaying_states, cases=3),
    Figure(
        "your AdamW against the reference on a narrow valley",
        (np.array([-1.5, 1.0]), 60, 0.1),
        descent_path,
        surface=VALLEY,
    ),
]
