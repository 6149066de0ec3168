"""Uses the sum of squares as the total norm, forgetting the square root."""
import numpy as np


def clip_grad_norm(grads, max_norm):
    total = float(sum(np.sum(g * g) for g in grads))
    if total > max_norm:
        scale = max_norm / (total + 1e-6)
        return [g * scale for g in grads], total
    return [np.array(g, dtype=float) for g in grads], total
