"""Walks every index with np.ndindex and does the update with math.sqrt on plain floats."""
import math

import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    new_w = np.empty(np.shape(w), dtype=float)
    new_s = np.empty(np.shape(w), dtype=float)
    for idx in np.ndindex(new_w.shape):
        g = float(grad[idx])
        s = float(sq_sum[idx]) + g * g
        new_s[idx] = s
        new_w[idx] = float(w[idx]) - lr * g / (math.sqrt(s) + eps)
    return new_w, new_s
