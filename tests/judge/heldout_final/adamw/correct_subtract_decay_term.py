"""Correct: writes the decay as a separate subtracted term w - lr*wd*w and combines both updates in one line."""

import numpy as np


def adamw_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    new_m = beta1 * m + (1.0 - beta1) * grad
    new_v = beta2 * v + (1.0 - beta2) * grad * grad
    bc1 = 1.0 - np.power(beta1, t)
    bc2 = 1.0 - np.power(beta2, t)
    adam_update = (new_m / bc1) / (np.sqrt(new_v / bc2) + eps)
    new_w = (w - lr * weight_decay * w) - lr * adam_update
    return new_w, new_m, new_v
