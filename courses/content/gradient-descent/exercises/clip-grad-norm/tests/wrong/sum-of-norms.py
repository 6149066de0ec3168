# wrong: adds up the per-array norms instead of taking the norm over all entries
import numpy as np


def clip_grad_norm(grads, max_norm):
    total = float(sum(np.linalg.norm(g) for g in grads))
    if total > max_norm:
        return [g * (max_norm / (total + 1e-6)) for g in grads], total
    return [g.copy() for g in grads], total
