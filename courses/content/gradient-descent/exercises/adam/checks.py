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


def adam_state(d):
    shape = d.shape(min_dims=1, max_dims=3, max_side=5)
    w = d.array(shape, scale=d.choice([0.1, 1.0, 10.0]))
    grad = d.array(shape, scale=d.choice([1e-6, 1e-2, 1.0, 1e3]))
    m = d.array(shape, scale=0.1)
    v = np.abs(d.array(shape, scale=0.1))
    t = d.choice([1, 2, 3, 10, 100, 5000])
    kwargs = {}
    if d.boolean():
        kwargs = {
            "lr": d.choice([1e-4, 1e-3, 0.01, 0.1]),
            "beta1": d.choice([0.8, 0.9, 0.95]),
            "beta2": d.choice([0.99, 0.999, 0.9999]),
        }
    return call(w, grad, m, v, t, **kwargs)


def first_step(d):
    shape = d.shape(min_dims=1, max_dims=2, max_side=6)
    grad = d.array(shape, scale=d.choice([1e-3, 1.0, 100.0]))
    grad = np.where(np.abs(grad) < 1e-3, 1e-3, grad)
    lr = d.choice([1e-3, 0.01, 0.1])
    return call(d.array(shape), grad, np.zeros(shape), np.zeros(shape), 1, lr=lr)


def moves_by_about_lr(c, out):
    w = c.args[0]
    lr = c.kwargs["lr"]
    if not isinstance(out, tuple | list) or len(out) != 3:
        return "adam_step must return (w, m, v)"
    new_w = np.asarray(out[0], dtype=float)
    if new_w.shape != w.shape:
        return f"the new w has shape {new_w.shape}, not {w.shape}"
    moved = np.abs(new_w - w)
    if np.allclose(moved, lr, rtol=1e-3):
        return None
    return (
        f"on the first step (t = 1, m = v = 0) Adam moves every weight by about lr = {lr}, "
        f"but yours moved them by between {moved.min():.3g} and {moved.max():.3g}"
    )


VALLEY = test_function("narrow_valley", scale=25.0)


def descent_path(driver, start, steps, lr):
    return optimizer_path(
        driver, "adam_step", VALLEY, start, steps, state=2, counts_steps=True, lr=lr
    )


CHECKS = [
    ReferenceCheck(
        "matches the reference on random states (tiny to huge gradients, t from 1 to 5000)",
        adam_state,
        cases=25,
        points=5,
        outputs=("the new w", "m", "v"),
    ),
    PropertyCheck(
        "the first step moves each weight by about lr",
        first_step,
        moves_by_about_lr,
        cases=5,
        points=3,
    ),
    NoMutationCheck("does not modify w, grad, m or v", adam_state, cases=3),
    Figure(
        "your Adam against the reference on a narrow valley",
        (np.array([-1.5, 1.0]), 60, 0.1),
        descent_path,
        surface=VALLEY,
    ),
]
