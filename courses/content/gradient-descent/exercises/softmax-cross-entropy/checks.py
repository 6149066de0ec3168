import numpy as np

from judge.checks import GradientCheck, NoMutationCheck, PropertyCheck, ReferenceCheck, call

# The statement promises logits of magnitude at most 1e4; no draw goes beyond it.
LIMIT = 1e4
# exp(-746) is 0 in float64: a true class this far below its row's largest logit has a
# probability that underflows to 0, and only log-softmax gives its loss.
UNDERFLOW_GAP = 746.0


def _batch(d, scale, shift=0.0):
    n = d.integers(1, 6)
    c = d.integers(2, 6)
    logits = np.clip(d.array((n, c), scale=scale) + shift, -LIMIT, LIMIT)
    labels = d.int_array((n,), 0, c - 1)
    return call(logits, labels)


def batches(d):
    """From almost-uniform scores to scores of size 1e4, sometimes all shifted far up or down."""
    scale = d.choice([1e-3, 1.0, 10.0, 100.0, 1e3, 2.5e3])
    shift = d.choice([0.0, 0.0, 1e3, -5e3])
    return _batch(d, scale, shift)


def moderate(d):
    return _batch(d, d.choice([0.5, 1.0, 3.0]))


def huge(d):
    return _batch(d, d.choice([1e3, 2.5e3]), d.choice([0.0, 5e3, -5e3]))


def true_class_far_below(d):
    """Every row's true class scores at least UNDERFLOW_GAP below the row's largest logit,
    within the promised magnitude: the case that defeats log(softmax) after a max shift."""
    n = d.integers(1, 4)
    c = d.integers(2, 5)
    top = d.choice([0.0, 1e3, LIMIT, -LIMIT + 2 * UNDERFLOW_GAP])
    gap = d.choice([UNDERFLOW_GAP, 1e3, 2e3])
    labels = d.int_array((n,), 0, c - 1)
    logits = np.clip(d.array((n, c), scale=1.0) + top, -LIMIT, LIMIT)
    rows = np.arange(n)
    logits[rows, labels] = np.maximum(logits.max(axis=1) - gap, -LIMIT)
    # the row's largest is still some other class: put it back on top if the label's
    # slot held it
    others = (labels + 1) % c
    logits[rows, others] = np.maximum(logits[rows, others], logits[rows, labels] + gap)
    return call(np.clip(logits, -LIMIT, LIMIT), labels)


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
    logits, labels = c.args
    if not np.isfinite(loss):
        return _why_not_finite(logits, labels, loss)
    if grad.shape == logits.shape and not np.all(np.isfinite(grad)):
        return "with very large scores your gradient contains inf or nan: shift each row by its maximum first"
    if loss < -1e-9:
        return f"cross-entropy is never negative, but your loss is {loss:.6g}"
    return None


# exp overflows above about 709 and underflows to 0 below about -745 in float64.
EXP_OVERFLOW = 709.0


def _why_not_finite(logits, labels, loss) -> str:
    """What can make a loss inf or nan on these logits, read from the inputs (the trusted
    side's own facts) rather than guessed from the student's number: an exponent too
    large without a shift, a true class so far down that its probability is 0 even
    after one, or, when neither holds, something else."""
    big = float(np.abs(logits).max())
    gaps = logits.max(axis=1) - logits[np.arange(len(labels)), labels]
    row = int(np.argmax(gaps))
    causes = []
    if big > EXP_OVERFLOW:
        causes.append(
            f"scores as large as {big:.3g} overflow np.exp (or underflow every term to 0, "
            "and 0/0 is nan) unless each row is first shifted by its largest score"
        )
    if gaps[row] >= UNDERFLOW_GAP:
        causes.append(
            f"in row {row} the true class scores {gaps[row]:.6g} below the row's largest, so "
            "even after that shift its probability is exactly 0 in float64 and log(0) is "
            "-inf: compute log-probabilities directly, shifted - log(sum(exp(shifted))) "
            "(log-softmax), and never take the log of a probability"
        )
    if not causes:
        return (
            f"your loss is {loss}, though every score here is small enough to exponentiate "
            "and no probability underflows: look for a log of 0 or a division by 0"
        )
    said = "; and ".join(causes)
    return f"your loss is {loss}. {said[0].upper()}{said[1:]}"


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
        points=1,
    ),
    PropertyCheck(
        "stays finite when the true class scores 746 or more below the row's largest",
        true_class_far_below,
        finite_on_huge_logits,
        cases=4,
        points=1,
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
