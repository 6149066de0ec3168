"""Recomputes total after clipping and returns that, instead of the norm before clipping."""

import numpy as np


def _global_norm(arrays):
    return float(np.sqrt(sum(float(np.sum(a**2)) for a in arrays)))


def clip_grad_norm(grads, max_norm):
    clipped = [np.array(g, dtype=float) for g in grads]
    total = _global_norm(clipped)
    if total > max_norm:
        scale = max_norm / (total + 1e-6)
        clipped = [g * scale for g in clipped]
        total = _global_norm(clipped)
    return clipped, total
