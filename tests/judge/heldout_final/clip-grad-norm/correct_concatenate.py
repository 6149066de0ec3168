"""Correct: flattens and concatenates all arrays into one vector and takes np.linalg.norm of it."""

import numpy as np


def clip_grad_norm(grads, max_norm):
    flat = np.concatenate([np.ravel(g) for g in grads] + [np.zeros(0)])
    total = float(np.linalg.norm(flat))
    factor = 1.0
    if total > max_norm:
        factor = max_norm / (total + 1e-6)
    return [np.array(g, dtype=float) * factor for g in grads], total
