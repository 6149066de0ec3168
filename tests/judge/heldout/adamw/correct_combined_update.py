"""Writes the whole update as one subtraction: w - lr * (weight_decay * w + adam_direction)."""
import numpy as np


def adamw_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    new_m = beta1 * m + (1 - beta1) * grad
    new_v = beta2 * v + (1 - beta2) * grad * grad
    direction = (new_m / (1 - beta1 ** t)) / (np.sqrt(new_v / (1 - beta2 ** t)) + eps)
    new_w = w - lr * (weight_decay * w + direction)
    return new_w, new_m, new_v
