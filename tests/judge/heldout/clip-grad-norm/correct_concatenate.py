"""Concatenates every flattened array into one vector and takes np.linalg.norm of it."""
import numpy as np


def clip_grad_norm(grads, max_norm):
    if grads:
        flat = np.concatenate([np.ravel(g) for g in grads])
    else:
        flat = np.zeros(0)
    total = float(np.linalg.norm(flat))
    factor = max_norm / (total + 1e-6) if total > max_norm else 1.0
    return [np.array(g, dtype=float) * factor for g in grads], total
