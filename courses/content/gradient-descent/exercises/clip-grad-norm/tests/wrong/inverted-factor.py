# wrong: multiplies by total / max_norm (the inverse factor), which grows the gradients
import numpy as np


def clip_grad_norm(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    if total > max_norm:
        return [g * (total / max_norm) for g in grads], total
    return [g.copy() for g in grads], total
