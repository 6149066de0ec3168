"""Adds up the norms of the arrays instead of taking the root of the summed squares."""
import numpy as np


def clip_grad_norm(grads, max_norm):
    total = float(sum(np.linalg.norm(g) for g in grads))
    if total > max_norm:
        scale = max_norm / (total + 1e-6)
        return [g * scale for g in grads], total
    return [np.array(g, dtype=float) for g in grads], total
