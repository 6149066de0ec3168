"""Always multiplies by max_norm / (total + 1e-6), even when the norm is already below the limit (which scales small gradients up)."""
import numpy as np


def clip_grad_norm(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    scale = max_norm / (total + 1e-6)
    return [g * scale for g in grads], total
