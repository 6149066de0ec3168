import numpy as np


def clip_grad_norm(grads, max_norm):
    """Scale a list of gradient arrays so their combined L2 norm is at most max_norm.

    total = sqrt(sum of squares of every entry of every array).
    If total > max_norm, multiply every array by max_norm / (total + 1e-6).
    Returns (list of new arrays, total before clipping); leaves grads unchanged.
    """
    total = 0.0  # replace with the global norm
    return [np.array(g, dtype=float) for g in grads], total
