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
    lr = d.choice([1e-4, 1e-2, 0.1, 0.5])
    if d.boolean():
        return call(w, grad, velocity, lr, beta=d.choice([0.0, 0.5, 0.9, 0.99]))
    return call(w, grad, velocity, lr)


def no_memory(d):
    c = states(d)
    return call(*c.args, beta=0.0)


def frozen(d):
    c = states(d)
    return call(c.args[0], c.args[1], c.args[2], 0.0, **c.kwargs)


def from_rest(d):
    shape = d.shape(min_dims=1, max_dims=2, max_side=6)
    lr = d.choice([1e-3, 0.01, 0.1])
    beta = d.choice([0.5, 0.9, 0.99])
    grad = d.array(shape, scale=d.choice([1e-2, 1.0, 100.0]))
    return call(d.array(shape), grad, np.zeros(shape), lr, beta=beta)


def _pair(c, out):
    return arrays_like(out, c.args[0], ("new_w", "new_velocity"), "nesterov_step")


def _shown(values):
    return np.round(np.asarray(values).ravel()[:4], 6).tolist()


def beta_zero_is_sgd(c, out):
    pair, problem = _pair(c, out)
    if problem:
        return problem
    w, grad, _, lr = c.args
    new_w, new_v = pair
    sgd = w - lr * grad
    if not np.allclose(new_w, sgd, rtol=1e-6, atol=1e-8):
        return (
            "with beta = 0 there is no velocity and no look-ahead, so the step must be plain SGD, "
            f"w - lr * grad = {_shown(sgd)}..., but yours gives {_shown(new_w)}..."
        )
    if not np.allclose(new_v, grad, rtol=1e-6, atol=1e-8):
        return (
            "with beta = 0 the old velocity is forgotten, so the new velocity must be exactly the "
            f"gradient {_shown(grad)}..., but yours is {_shown(new_v)}..."
        )
    return None


def first_step_from_rest(c, out):
    pair, problem = _pair(c, out)
    if problem:
        return problem
    w, grad, _, lr = c.args
    beta = c.kwargs["beta"]
    expected = w - lr * (1 + beta) * grad
    if np.allclose(pair[0], expected, rtol=1e-6, atol=1e-8):
        return None
    moved = np.abs(pair[0] - w).ravel()
    plain = np.abs(lr * grad).ravel()
    i = int(np.argmax(plain))
    return (
        f"from a zero velocity the step is lr * (grad + beta * grad) = (1 + beta) * lr * grad, "
        f"{1 + beta:g} times a plain step; for a gradient of {grad.ravel()[i]:.3g} a plain step "
        f"moves {plain[i]:.4g}, so the weight should move {(1 + beta) * plain[i]:.4g}, "
        f"but yours moved {moved[i]:.4g}"
    )


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
        driver, "nesterov_step", VALLEY, start, steps, state=1, args=(lr,), beta=0.9
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
        "from a zero velocity the first step is (1 + beta) times a plain SGD step",
        from_rest,
        first_step_from_rest,
        cases=3,
        points=1,
    ),
    PropertyCheck(
        "with beta = 0 Nesterov momentum is plain SGD",
        no_memory,
        beta_zero_is_sgd,
        cases=3,
        points=2,
    ),
    PropertyCheck(
        "with lr = 0 the weights do not move", frozen, lr_zero_keeps_w, cases=2, points=1
    ),
    PropertyCheck("keeps the shape of w", states, keeps_shapes, cases=2, points=1),
    NoMutationCheck("does not modify w, grad or velocity", states, cases=3),
    Figure(
        "your Nesterov momentum against the reference on a narrow valley",
        (np.array([-1.5, 1.0]), 60, 0.01),
        descent_path,
        surface=VALLEY,
    ),
]
