import copy

import numpy as np

from judge.checks import NoMutationCheck, PropertyCheck, ReferenceCheck, call

NAMES = ("W1", "b1", "W2", "b2")


def _network(d, x_scale, w1_scale, w2_scale):
    n, dim, hidden, classes = d.integers(1, 6), d.integers(1, 4), d.integers(1, 5), d.integers(2, 4)
    X = d.array((n, dim), scale=x_scale)
    params = {
        "W1": d.array((dim, hidden), scale=w1_scale),
        "b1": d.array((hidden,), scale=0.5),
        "W2": d.array((hidden, classes), scale=w2_scale),
        "b2": d.array((classes,), scale=0.5),
    }
    # keep every hidden pre-activation away from relu's kink, where the slope jumps and
    # finite differences would straddle it
    z1 = X @ params["W1"] + params["b1"]
    close = np.abs(z1).min(axis=0) < 1e-3
    params["b1"] = params["b1"] + np.where(close, 0.01, 0.0)
    return call(params, X, d.int_array((n,), 0, classes - 1))


def networks(d):
    """From gentle to saturated: hidden units switched off, scores in the thousands."""
    return _network(
        d, d.choice([0.1, 1.0, 10.0]), d.choice([0.1, 1.0, 5.0]), d.choice([0.1, 1.0, 30.0])
    )


def gentle(d):
    return _network(d, 1.0, d.choice([0.5, 1.0]), d.choice([0.5, 1.0]))


def huge_scores(d):
    return _network(d, 10.0, 5.0, d.choice([100.0, 300.0]))


def forward_loss(params, X, y):
    z1 = X @ params["W1"] + params["b1"]
    logits = np.maximum(z1, 0.0) @ params["W2"] + params["b2"]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(y)), y].mean())


def _unpack(c, out):
    params = c.args[0]
    if not isinstance(out, tuple | list) or len(out) != 2:
        return None, "mlp_loss_and_grads must return a pair (loss, grads)"
    loss, grads = out
    if isinstance(loss, bool) or not isinstance(loss, int | float | np.floating):
        return None, "the loss must be a single number"
    if not isinstance(grads, dict):
        return None, f"grads must be a dict with the keys {', '.join(NAMES)}"
    for name in NAMES:
        g = grads.get(name)
        if not isinstance(g, np.ndarray) or g.shape != params[name].shape:
            shape = g.shape if isinstance(g, np.ndarray) else type(g).__name__
            return (
                None,
                f"grads[{name!r}] must be an array shaped like params[{name!r}] {params[name].shape}, not {shape}",
            )
    return (float(loss), grads), None


def matches_finite_differences(c, out):
    parts, problem = _unpack(c, out)
    if problem:
        return problem
    params, X, y = c.args
    _, grads = parts
    for name in NAMES:
        numeric = np.zeros_like(params[name])
        for index in np.ndindex(params[name].shape):
            probe = {k: v.copy() for k, v in params.items()}
            step = 1e-6 * max(1.0, abs(float(params[name][index])))
            probe[name][index] += step
            up = forward_loss(probe, X, y)
            probe[name][index] -= 2 * step
            down = forward_loss(probe, X, y)
            numeric[index] = (up - down) / (2 * step)
        if not np.allclose(grads[name], numeric, rtol=1e-4, atol=1e-6):
            index = tuple(
                int(i)
                for i in np.unravel_index(
                    int(np.argmax(np.abs(grads[name] - numeric))), numeric.shape
                )
            )
            return (
                f"grads[{name!r}] does not match finite differences of the loss: at index {index} "
                f"yours is {grads[name][index]:.6g}, nudging the weight gives {numeric[index]:.6g}"
            )
    return None


def same_keys_and_shapes(c, out):
    _, problem = _unpack(c, out)
    return problem


def finite_on_huge_scores(c, out):
    parts, problem = _unpack(c, out)
    if problem:
        return problem
    loss, grads = parts
    if not np.isfinite(loss) or not all(np.all(np.isfinite(grads[name])) for name in NAMES):
        return (
            "with scores in the thousands your loss or gradients contain inf or nan: exp overflows. "
            "Subtract each row's largest score before exponentiating"
        )
    return None


def call_and_keep_params(driver, c):
    """params before and after the call: writing into the caller's dict (or its arrays)
    does not show in the result, only in the arguments."""
    before = copy.deepcopy(c.args[0])
    _, args_after = driver.call_keeping_args("mlp_loss_and_grads", *c.args)
    if not args_after:
        raise RuntimeError("the driver did not hand back the arguments after the call")
    return before, args_after[0]


def params_untouched(c, observed):
    before, after = observed
    if not isinstance(after, dict) or set(after) != set(before):
        return "params itself was changed (keys added, removed or replaced); return a new dict of gradients"
    for name in NAMES:
        a = after[name]
        if (
            not isinstance(a, np.ndarray)
            or a.shape != before[name].shape
            or not np.array_equal(a, before[name])
        ):
            return (
                f"params[{name!r}] was changed by your function; build a new grads dict and "
                "leave the caller's weights alone"
            )
    return None


CHECKS = [
    ReferenceCheck(
        "matches the reference on random networks (dead units, scores in the thousands)",
        networks,
        cases=25,
        points=8,
        outputs=("the loss", "the gradients"),
    ),
    PropertyCheck(
        "every gradient matches finite differences of the loss",
        gentle,
        matches_finite_differences,
        cases=4,
        points=4,
    ),
    PropertyCheck(
        "stays finite when the scores are huge",
        huge_scores,
        finite_on_huge_scores,
        cases=3,
        points=2,
    ),
    PropertyCheck(
        "grads has the keys and shapes of params",
        networks,
        same_keys_and_shapes,
        cases=2,
        points=1,
    ),
    PropertyCheck(
        "does not modify params",
        networks,
        params_untouched,
        observe=call_and_keep_params,
        cases=3,
        points=3,
        shrink=False,
    ),
    NoMutationCheck("does not modify X or y", networks, cases=2),
]
