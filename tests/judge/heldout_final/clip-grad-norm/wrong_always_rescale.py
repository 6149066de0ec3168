"""Always multiplies by max_norm / (total + 1e-6), so small gradients get scaled up to max_norm."""

import numpy as np


def clip_grad_norm(grads, max_norm):
    total = float(np.sqrt(sum(float(np.sum(np.square(g))) for g in grads)))
    scale = max_norm / (total + 1e-6)
    return [g * scale for g in grads], total
