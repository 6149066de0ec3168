"""Writes the moving average in incremental form s + (1 - alpha)(g^2 - s) and uses the power 0.5 for the root."""
import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    g = np.asarray(grad, dtype=float)
    s = np.asarray(sq_avg, dtype=float)
    new_sq = s + (1.0 - alpha) * (g * g - s)
    new_w = np.asarray(w, dtype=float) - lr * g / (new_sq ** 0.5 + eps)
    return new_w, new_sq
