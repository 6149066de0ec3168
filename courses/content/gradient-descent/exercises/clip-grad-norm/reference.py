import math

import numpy as np


def _global_norm(arrays):
    """L2 norm of all entries of all arrays together, without overflow or underflow.

    Squaring 1e200 overflows to inf and squaring 1e-200 underflows to 0, so the
    entries are divided by the largest magnitude before squaring and the result is
    scaled back afterwards.
    """
    largest = 0.0
    for a in arrays:
        if a.size:
            largest = max(largest, float(np.max(np.abs(a))))
    if largest == 0.0 or not math.isfinite(largest):
        return largest
    total = 0.0
    for a in arrays:
        scaled = a / largest
        total += float(np.sum(scaled * scaled))
    return largest * math.sqrt(total)


def clip_grad_norm(grads, max_norm):
    arrays = [np.array(g, dtype=np.float64, copy=True) for g in grads]
    total = _global_norm(arrays)
    if total > max_norm:
        # one common factor for every array keeps the overall direction unchanged
        scale = max_norm / (total + 1e-6)
        arrays = [a * scale for a in arrays]
    return arrays, float(total)
