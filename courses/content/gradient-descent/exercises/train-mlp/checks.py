import numpy as np

from judge.checks import Figure, NoMutationCheck, PropertyCheck, ReferenceCheck, call

KEYS = ("W1", "b1", "W2", "b2")


# Data sets, made on the trusted side from a seed: a few classes in a few dimensions,
# some separable by a line and some (rings, xor) only by a curved boundary. The held-out
# points come from the same distribution and never go into the jail.


def _blobs(rng, n, dim, classes):
    centres = rng.normal(0.0, 2.0, (classes, dim))
    y = rng.integers(0, classes, n)
    return centres[y] + rng.normal(0.0, 1.0, (n, dim)), y


def _rings(rng, n, dim, classes):
    radius = rng.uniform(0.0, classes, n)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    X = X + rng.normal(0.0, 0.1, X.shape)
    return X, np.minimum(radius.astype(np.int64), classes - 1)


def _xor(rng, n, dim, classes):
    X = rng.uniform(-1.0, 1.0, (n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(np.int64)


def _labels_cover(y, classes):
    # C = y.max() + 1: a draw whose top class is missing would change C itself.
    return y.max() == classes - 1


def data_set(seed, kind, n, dim, classes):
    make = {"blobs": _blobs, "rings": _rings, "xor": _xor}[kind]
    if kind == "xor":
        classes = 2
    rng = np.random.default_rng(seed)
    while True:
        X, y = make(rng, n, dim, classes)
        if _labels_cover(y, classes):
            return X, y


def small_runs(d):
    """Short runs on small data sets with every setting varied: what the reference
    comparison needs (the same numbers step by step), cheap enough for many cases."""
    kind = d.choice(["blobs", "rings", "xor"])
    X, y = data_set(d.seed(), kind, d.integers(4, 40), d.integers(1, 4), d.integers(2, 4))
    kwargs = {}
    if d.boolean():
        kwargs["hidden"] = d.choice([1, 3, 8, 16])
    if d.boolean():
        kwargs["lr"] = d.choice([0.05, 0.5, 1.0])
    kwargs["epochs"] = d.choice([1, 2, 5, 20, 60])
    if d.boolean():
        kwargs["seed"] = d.integers(0, 1000)
    return call(X, y, **kwargs)


def frozen(d):
    c = small_runs(d)
    return call(*c.args, **{**c.kwargs, "lr": 0.0})


def full_training(d):
    """The default settings on a fresh data set, with a held-out set of 400 points from
    the same distribution for the accuracy check."""
    kind = d.choice(["blobs", "rings", "xor"])
    seed, n = d.seed(), d.choice([120, 200])
    dim, classes = (d.integers(2, 5), d.integers(2, 4)) if kind == "blobs" else (2, 3)
    X, y = data_set(seed, kind, n + 400, dim, classes)
    return call(X[:n], y[:n]).holding_out(X[n:], y[n:])


def normalized(out):
    """(params, losses) with every parameter and the losses as float arrays: a list of
    losses and an array of them are the same answer."""
    if not isinstance(out, tuple | list) or len(out) != 2 or not isinstance(out[0], dict):
        return out
    params, losses = out
    try:
        losses = np.asarray(losses, dtype=np.float64)
        params = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    except (TypeError, ValueError):
        return out
    return params, losses


def observe(driver, c):
    return normalized(driver.call("train_mlp", *c.args, **c.kwargs))


# The signature's defaults (train_mlp(X, y, hidden=16, lr=0.5, epochs=300, seed=0)); a
# test holds them equal to the reference's.
DEFAULTS = {"hidden": 16, "lr": 0.5, "epochs": 300, "seed": 0}


def _settings(c):
    X, y = c.args
    settings = {**DEFAULTS, **c.kwargs}
    return {
        "hidden": settings["hidden"],
        "epochs": settings["epochs"],
        "seed": settings["seed"],
        "dim": X.shape[1],
        "classes": int(y.max()) + 1,
    }


def _parts(c, out):
    """The answer's parameters and losses after checking every shape, so nothing the
    student returned is computed with before its size is known."""
    if not isinstance(out, tuple) or len(out) != 2 or not isinstance(out[0], dict):
        return None, "train_mlp must return a pair (params, losses) with params a dict"
    params, losses = out
    if len(params) != len(KEYS) or set(params) != set(KEYS):
        return (
            None,
            f"params must have exactly the keys {', '.join(KEYS)}, not {sorted(map(str, params))[:8]}",
        )
    s = _settings(c)
    shapes = {
        "W1": (s["dim"], s["hidden"]),
        "b1": (s["hidden"],),
        "W2": (s["hidden"], s["classes"]),
        "b2": (s["classes"],),
    }
    for key, shape in shapes.items():
        value = params[key]
        if not isinstance(value, np.ndarray) or value.shape != shape:
            got = value.shape if isinstance(value, np.ndarray) else type(value).__name__
            return None, f"{key} must be an array of shape {shape}, not {got}"
    if not isinstance(losses, np.ndarray) or losses.shape != (s["epochs"],):
        shape = getattr(losses, "shape", None)
        return None, f"losses must hold one loss per epoch ({s['epochs']}), not shape {shape}"
    return (params, losses), None


def _initial(c):
    """The initial parameters the statement prescribes, made on the trusted side."""
    s = _settings(c)
    rng = np.random.default_rng(s["seed"])
    W1 = rng.normal(0.0, 1.0 / np.sqrt(s["dim"]), (s["dim"], s["hidden"]))
    W2 = rng.normal(0.0, 1.0 / np.sqrt(s["hidden"]), (s["hidden"], s["classes"]))
    return {"W1": W1, "b1": np.zeros(s["hidden"]), "W2": W2, "b2": np.zeros(s["classes"])}


def _mean_cross_entropy(params, X, y):
    logits = np.tanh(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(y)), y].mean())


def lr_zero_keeps_the_start(c, out):
    parts, problem = _parts(c, out)
    if problem:
        return problem
    params, losses = parts
    start = _initial(c)
    for key in KEYS:
        if not np.allclose(params[key], start[key], rtol=1e-9, atol=1e-12):
            return (
                f"with lr = 0 nothing may move, so {key} must come back exactly as initialised "
                "(rng = np.random.default_rng(seed); W1 drawn first, then W2; zero biases), "
                "but yours differs"
            )
    first = _mean_cross_entropy(start, *c.args)
    if not np.allclose(losses, first, rtol=1e-7, atol=1e-10):
        return (
            f"with lr = 0 every recorded loss is the loss of the initial network, {first:.6g}, "
            f"but yours are {np.round(losses[:5], 6).tolist()}..."
        )
    return None


def shapes_kept(c, out):
    _, problem = _parts(c, out)
    return problem


def accuracy(params, X, y):
    logits = np.tanh(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    return float(np.mean(logits.argmax(axis=1) == y))


# A trained network may differ from the reference's (another initialisation, another
# order of sums) and still have learned: it passes when its held-out accuracy is within
# this margin of what the reference's training reaches on the same data.
ACCURACY_MARGIN = 0.05


def generalizes(c, out, expected):
    parts, problem = _parts(c, out)
    if problem:
        return problem
    params, _ = parts
    if not all(np.isfinite(params[k]).all() for k in KEYS):
        return "your trained parameters contain nan or inf"
    X_test, y_test = c.held_out
    bar = accuracy(expected[0], X_test, y_test) - ACCURACY_MARGIN
    got = accuracy(params, X_test, y_test)
    if got >= bar:
        return None
    return (
        f"your trained network classifies {got:.1%} of {len(y_test)} held-out points correctly "
        f"(points your code never saw, from the same distribution as its training data); the "
        f"reference's training reaches {bar + ACCURACY_MARGIN:.1%} on them, and at least "
        f"{bar:.1%} is needed. The loss curve below shows whether yours learns like the "
        "reference's: one that falls more slowly or stops early points at the gradients or "
        "the update"
    )


def loss_curve(driver, X, y):
    out = normalized(driver.call("train_mlp", X, y))
    if not isinstance(out, tuple) or not isinstance(out[1], np.ndarray) or out[1].ndim != 1:
        return {"loss": None}
    return {"loss": out[1]}  # thinned by the figure before anything is converted


CURVE_X, CURVE_Y = data_set(20261207, "rings", 200, 2, 3)


CHECKS = [
    ReferenceCheck(
        "matches the reference (trained parameters and the loss curve) on short runs",
        small_runs,
        cases=20,
        points=8,
        observe=observe,
        outputs=("the trained parameters", "the losses"),
        rtol=1e-5,
        atol=1e-8,
    ),
    PropertyCheck(
        "with lr = 0 the network stays as initialised (W1, then W2, from the seed)",
        frozen,
        lr_zero_keeps_the_start,
        observe=observe,
        cases=4,
        points=3,
    ),
    PropertyCheck(
        "returns the four parameters in their shapes and one loss per epoch",
        small_runs,
        shapes_kept,
        observe=observe,
        cases=3,
        points=1,
    ),
    PropertyCheck(
        "trained with the defaults, it classifies held-out data as well as the reference",
        full_training,
        generalizes,
        observe=observe,
        cases=3,
        points=8,
        shrink=False,
        with_reference=True,
    ),
    NoMutationCheck("does not modify X or y", small_runs, cases=3),
    Figure(
        "your loss curve against the reference (300 epochs on 200 points in three rings)",
        (CURVE_X, CURVE_Y),
        loss_curve,
        kind="loss_curve",
    ),
]
