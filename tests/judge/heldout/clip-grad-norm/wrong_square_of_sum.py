"""Squares the sum of each array's entries instead of summing the squares of the entries."""
import numpy as np


def clip_grad_norm(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g) ** 2 for g in grads)))
    if total > max_norm:
        scale = max_norm / (total + 1e-6)
        return [g * scale for g in grads], total
    return [np.array(g, dtype=float) for g in grads], total
