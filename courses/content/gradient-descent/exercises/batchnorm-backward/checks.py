import numpy as np

from judge.checks import GradientCheck, NoMutationCheck, PropertyCheck, ReferenceCheck, call

OUTPUTS = ("dx", "dgamma", "dbeta")

# Batch sizes in the order the search for a smallest failing input prefers them: it
# shrinks towards the first. Four rows make a readable example; with two, every column
# normalizes to about (-1, 1) whatever x is, so dx is nearly zero and says little.
ROWS = (4, 3, 5, 2, 6, 7, 8)


def _rows(d, most=8):
    allowed = [n for n in ROWS if n <= most]
    return allowed[d.integers(0, len(allowed) - 1)]


def _batch(d, n, dim, scale):
    """Noise on top of an evenly spaced ramp down each column: a shrunk input keeps a
    spread (x = scale * (-1, -1/3, 1/3, 1)) instead of a constant column, whose variance
    is 0 and whose gradient is all 1/sqrt(eps)."""
    ramp = np.linspace(-1.0, 1.0, n)[:, None]
    return scale * (ramp + d.array((n, dim)))


def _with_eps(d, dout, x, gamma):
    # eps is passed now and then, large enough that where it sits (inside or outside
    # the square root) and whether it is used at all show in the answer
    if d.boolean():
        return call(dout, x, gamma, eps=d.choice([1e-5, 1e-3, 0.1, 1.0]))
    return call(dout, x, gamma)


def batches(d):
    """A batch of 2 to 8 rows and 1 to 5 features: small and large spreads, features
    centred far from zero, gradients from tiny to large."""
    n, dim = _rows(d), d.integers(1, 5)
    x = d.choice([0.0, 1.0, -5.0, 20.0]) + _batch(d, n, dim, d.choice([0.1, 1.0, 10.0]))
    gamma = d.array((dim,), scale=d.choice([0.5, 1.0, 3.0]))
    dout = d.array((n, dim), scale=d.choice([0.1, 1.0, 10.0]))
    return _with_eps(d, dout, x, gamma)


def moderate(d):
    """Spreads near 1, for finite differences, which lose digits on steep or huge inputs."""
    n, dim = _rows(d, most=6), d.integers(1, 4)
    x = d.choice([0.0, 2.0]) + _batch(d, n, dim, 1.0)
    return _with_eps(d, d.array((n, dim)), x, d.array((dim,)))


def batchnorm_objective(c):
    """sum(dout * out) computed from scratch on the trusted side, the function whose
    gradients the student returns. beta only adds sum(dout * beta), which depends on
    neither x nor gamma, so it is left out."""
    dout, x, gamma = c.args
    eps = c.kwargs.get("eps", 1e-5)
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    return float(np.sum(dout * gamma * (x - mu) / np.sqrt(var + eps)))


def _unpack(c, out):
    _, x, gamma = c.args
    if not isinstance(out, tuple | list) or len(out) != 3:
        return None, "batchnorm_backward must return three arrays (dx, dgamma, dbeta)"
    shapes = {"dx": x.shape, "dgamma": gamma.shape, "dbeta": gamma.shape}
    for name, value in zip(OUTPUTS, out, strict=True):
        if not isinstance(value, np.ndarray) or value.shape != shapes[name]:
            shape = value.shape if isinstance(value, np.ndarray) else type(value).__name__
            like = "x" if name == "dx" else "gamma"
            return None, f"{name} must be an array shaped like {like} {shapes[name]}, not {shape}"
    return out, None


def shapes_kept(c, out):
    _, problem = _unpack(c, out)
    return problem


def dx_sums_to_zero(c, out):
    parts, problem = _unpack(c, out)
    if problem:
        return problem
    dout, x, gamma = c.args
    eps = c.kwargs.get("eps", 1e-5)
    dx = np.asarray(parts[0], dtype=np.float64)
    total = dx.sum(axis=0)
    # rounding is judged against the size of the terms that cancel in each column,
    # |gamma| * sum|dout| / sqrt(var + eps), not against dx, which may be nearly 0
    # (with two rows it is, whatever dout is)
    terms = np.abs(gamma) * np.abs(dout).sum(axis=0) / np.sqrt(x.var(axis=0) + eps)
    allowed = 1e-9 * terms + 1e-12
    bad = np.flatnonzero(np.abs(total) > allowed)
    if bad.size == 0:
        return None
    j = int(bad[0])
    return (
        f"the column dx[:, {j}] sums to {total[j]:.6g}, not 0. Adding the same amount to a whole "
        "column of x moves the mean by that amount and leaves xhat, and so the output, exactly as "
        "it was: the gradient must sum to zero over the batch for each feature. A dx that does "
        "not has left out the path through the batch mean"
    )


def dbeta_is_column_sum(c, out):
    parts, problem = _unpack(c, out)
    if problem:
        return problem
    dout = c.args[0]
    expected = dout.sum(axis=0)
    if np.allclose(parts[2], expected, rtol=1e-6, atol=1e-8):
        return None
    return (
        "beta is added to every row of the output, so dbeta is dout summed over the batch, "
        f"dout.sum(axis=0) = {np.round(expected, 6).tolist()}, but yours is "
        f"{np.round(np.asarray(parts[2], dtype=np.float64), 6).tolist()}"
    )


CHECKS = [
    ReferenceCheck(
        "matches the reference on random batches (2 to 8 rows, small and large spreads, "
        "features far from zero)",
        batches,
        cases=25,
        points=8,
        outputs=OUTPUTS,
    ),
    GradientCheck(
        "dx matches finite differences of sum(dout * out) with respect to x",
        moderate,
        batchnorm_objective,
        wrt=1,
        grad_of=lambda out: out[0],
        cases=4,
        points=4,
    ),
    GradientCheck(
        "dgamma matches finite differences of sum(dout * out) with respect to gamma",
        moderate,
        batchnorm_objective,
        wrt=2,
        grad_of=lambda out: out[1],
        cases=4,
        points=2,
    ),
    PropertyCheck(
        "dx sums to zero over the batch for each feature",
        batches,
        dx_sums_to_zero,
        cases=5,
        points=2,
    ),
    PropertyCheck(
        "dbeta is dout summed over the batch", batches, dbeta_is_column_sum, cases=3, points=1
    ),
    PropertyCheck(
        "dx is shaped like x, dgamma and dbeta like gamma", batches, shapes_kept, cases=3, points=1
    ),
    NoMutationCheck("does not modify dout, x or gamma", batches, cases=3),
]
