"""Forgets the square root: uses the sum of squares as the norm."""

import numpy as np


def clip_grad_norm(grads, max_norm):
    total = 0.0
    for g in grads:
        total += float(np.sum(g * g))
    if total > max_norm:
        scale = max_norm / (total + 1e-6)
        return [g * scale for g in grads], total
    return [g.copy() for g in grads], total
