"""Clips every array by its own norm instead of using one global norm over all of them."""
import numpy as np


def clip_grad_norm(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    clipped = []
    for g in grads:
        norm = np.linalg.norm(g)
        if norm > max_norm:
            clipped.append(g * (max_norm / (norm + 1e-6)))
        else:
            clipped.append(np.array(g, dtype=float))
    return clipped, total
