# wrong: scales the caller's gradient arrays in place
import numpy as np


def clip_grad_norm(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    if total > max_norm:
        for g in grads:
            g *= max_norm / (total + 1e-6)
    return [g.copy() for g in grads], total
