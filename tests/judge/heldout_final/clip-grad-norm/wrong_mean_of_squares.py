"""Averages the squares of each array (np.mean) instead of summing them in the norm."""

import numpy as np


def clip_grad_norm(grads, max_norm):
    total = float(np.sqrt(sum(np.mean(g**2) for g in grads)))
    if total > max_norm:
        c = max_norm / (total + 1e-6)
        return [g * c for g in grads], total
    return [np.array(g, dtype=float) for g in grads], total
