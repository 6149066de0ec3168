import numpy as np

from judge.checks import GradientCheck, NoMutationCheck, PropertyCheck, ReferenceCheck, call


def _batch(d, scale, shift=0.0):
    n = d.integers(1, 6)
    c = d.integers(2, 6)
    logits = d.array((n, c), scale=scale) + shift
    labels = d.int_array((n,), 0, c - 1)
    return call(logits, labels)


def batches(d):
    """From almost-uniform scores to scores of size 1e4, sometimes all shifted far up or down."""
    scale = d.choice([1e-3, 1.0, 10.0, 100.0, 1e3, 1e4])
    shift = d.choice([0.0, 0.0, 1e3, -1e4])
    return _batch(d, scale, shift)


def moderate(d):
    return _batch(d, d.choice([0.5, 1.0, 3.0]))


def huge(d):
    return _batch(d, d.choice([1e3, 1e4]), d.choice([0.0, 1e4, -1e4]))


def mean_cross_entropy(c):
    logits, labels = c.args
    logits = np.asarray(logits, dtype=np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(labels)), labels].mean())


def _unpack(out):
    if not isinstance(out, tuple | list) or len(out) != 2:
        return None, None, "softmax_cross_entropy must return a pair (loss, grad)"
    loss, grad = out
    if isinstance(loss, np.ndarray) and loss.shape == ():
        loss = float(loss)
    if isinstance(loss, bool) or not isinstance(loss, int | float):
        return None, None, "the loss must be a single number"
    if not isinstance(grad, np.ndarray):
        return None, None, "the gradient must be a numpy array"
    return float(loss), grad, None


def the_gradient(out):
    return out[1]


def finite_on_huge_logits(c, out):
    loss, grad, problem = _unpack(out)
    if problem:
        return problem
    if not np.isfinite(loss):
        return (
            f"with scores as large as {np.abs(c.args[0]).max():.3g} your loss is {loss}: "
            "np.exp overflows. Subtract each row's largest score before exponentiating"
        )
    if grad.shape == c.args[0].shape and not np.all(np.isfinite(grad)):
        return "with very large scores your gradient contains inf or nan: shift each row by its maximum first"
    if loss < -1e-9:
        return f"cross-entropy is never negative, but your loss is {loss:.6g}"
    return None


def keeps_shape(c, out):
    _, grad, problem = _unpack(out)
    if problem:
        return problem
    if grad.shape != c.args[0].shape:
        return f"the gradient must have the shape of logits {c.args[0].shape}, not {grad.shape}"
    return None


def rows_sum_to_zero(c, out):
    _, grad, problem = _unpack(out)
    if problem:
        return problem
    if grad.shape != c.args[0].shape:
        return f"the gradient must have the shape of logits {c.args[0].shape}, not {grad.shape}"
    sums = grad.sum(axis=1)
    scale = 1.0 / grad.shape[0]
    bad = np.flatnonzero(np.abs(sums) > 1e-9 + 1e-6 * scale)
    if bad.size == 0:
        return None
    row = int(bad[0])
    return (
        "each row of the gradient must add up to 0 (the probabilities add up to 1 and so does "
        f"the one-hot row), but row {row} adds up to {sums[row]:.6g}"
    )


CHECKS = [
    ReferenceCheck(
        "matches the reference on random batches (scores from 1e-3 to 1e4)",
        batches,
        cases=25,
        points=4,
        outputs=("the loss", "the gradient"),
    ),
    PropertyCheck(
        "stays finite on huge logits (up to 1e4)",
        huge,
        finite_on_huge_logits,
        cases=4,
        points=2,
    ),
    GradientCheck(
        "the gradient matches finite differences of the loss",
        moderate,
        mean_cross_entropy,
        wrt=0,
        grad_of=the_gradient,
        cases=4,
        points=2,
    ),
    PropertyCheck(
        "each row of the gradient sums to zero", moderate, rows_sum_to_zero, cases=3, points=1
    ),
    PropertyCheck(
        "the gradient keeps the shape of logits", batches, keeps_shape, cases=2, points=1
    ),
    NoMutationCheck("does not modify logits or labels", batches, cases=3),
]
