# wrong: returns the norm measured after clipping instead of the original total
import numpy as np


def clip_grad_norm(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    out = [g.copy() for g in grads]
    if total > max_norm:
        out = [g * (max_norm / (total + 1e-6)) for g in grads]
    return out, float(np.sqrt(sum(np.sum(g * g) for g in out)))
