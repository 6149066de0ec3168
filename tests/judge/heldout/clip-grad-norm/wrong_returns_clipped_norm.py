"""Returns the norm measured after clipping instead of the norm before clipping."""
import numpy as np


def clip_grad_norm(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    clipped = [np.array(g, dtype=float) for g in grads]
    if total > max_norm:
        clipped = [g * (max_norm / (total + 1e-6)) for g in clipped]
        total = np.sqrt(sum(np.sum(g ** 2) for g in clipped))
    return clipped, float(total)
