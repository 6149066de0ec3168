"""Measures the size of the gradients by their largest absolute entry instead of the L2 norm."""
import numpy as np


def clip_grad_norm(grads, max_norm):
    total = float(max(np.max(np.abs(g)) for g in grads))
    if total > max_norm:
        scale = max_norm / (total + 1e-6)
        return [g * scale for g in grads], total
    return [np.array(g, dtype=float) for g in grads], total
