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
    grad = d.array(shape, scale=d.choice([1e-6, 1e-2, 1.0, 1e3]))
    velocity = d.array(shape, scale=d.choice([0.0, 1e-3, 1.0, 100.0]))
    lr = d.choice([1e-4, 1e-2, 0.1, 0.5, 2.0])
    if d.boolean():
        return call(w, grad, velocity, lr, beta=d.choice([0.0, 0.5, 0.9, 0.99]))
    return call(w, grad, velocity, lr)


def no_memory(d):
    c = states(d)
    return call(*c.args, beta=0.0)


def frozen(d):
    c = states(d)
    return call(c.args[0], c.args[1], c.args[2], 0.0, **c.kwargs)


def _pair(c, out):
    return arrays_like(out, c.args[0], ("new_w", "new_velocity"), "momentum_step")


def beta_zero_is_sgd(c, out):
    pair, problem = _pair(c, out)
    if problem:
        return problem
    w, grad, _, lr = c.args
    new_w, new_v = pair
    sgd = w - lr * grad
    if not np.allclose(new_w, sgd, rtol=1e-6, atol=1e-8):
        return (
            "with beta = 0 momentum forgets the old velocity, so the step must be plain SGD, "
            f"w - lr * grad = {np.round(sgd.ravel()[:4], 6).tolist()}..., but yours gives "
            f"{np.round(new_w.ravel()[:4], 6).tolist()}..."
        )
    if not np.allclose(new_v, grad, rtol=1e-6, atol=1e-8):
        return (
            "with beta = 0 the old velocity is forgotten, so the new velocity must be exactly the "
            f"gradient {np.round(grad.ravel()[:4], 6).tolist()}..., but yours is "
            f"{np.round(new_v.ravel()[:4], 6).tolist()}..."
        )
    return None


def lr_zero_keeps_w(c, out):
    pair, problem = _pair(c, out)
    if problem:
        return problem
    if np.array_equal(pair[0], c.args[0]):
        return None
    return "with lr = 0 the weights must not move (the velocity still updates)"


def keeps_shapes(c, out):
    _, problem = _pair(c, out)
    return problem


VALLEY = test_function("narrow_valley", scale=25.0)


def descent_path(driver, start, steps, lr):
    return optimizer_path(
        driver, "momentum_step", VALLEY, start, steps, state=1, args=(lr,), beta=0.9
    )


CHECKS = [
    ReferenceCheck(
        "matches the reference on random states (tiny to huge gradients, beta from 0 to 0.99)",
        states,
        cases=25,
        points=5,
        outputs=("the new w", "the new velocity"),
    ),
    PropertyCheck(
        "with beta = 0 momentum is plain SGD", no_memory, beta_zero_is_sgd, cases=3, points=2
    ),
    PropertyCheck(
        "with lr = 0 the weights do not move", frozen, lr_zero_keeps_w, cases=2, points=1
    ),
    PropertyCheck("keeps the shape of w", states, keeps_shapes, cases=2, points=1),
    NoMutationCheck("does not modify w, grad or velocity", states, cases=3),
    Figure(
        "your momentum against the reference on a narrow valley",
        (np.array([-1.5, 1.0]), 60, 0.01),
        descent_path,
        surface=VALLEY,
    ),
]
