"""Correct: applies decay and the Adam update weight by weight in a loop over np.ndindex."""
import math

import numpy as np


def adamw_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    new_w = np.array(w, dtype=float, copy=True)
    new_m = np.array(m, dtype=float, copy=True)
    new_v = np.array(v, dtype=float, copy=True)
    shrink = 1.0 - lr * weight_decay
    c1 = 1.0 - beta1 ** t
    c2 = 1.0 - beta2 ** t
    for i in np.ndindex(new_w.shape):
        g = float(grad[i])
        new_m[i] = beta1 * new_m[i] + (1.0 - beta1) * g
        new_v[i] = beta2 * new_v[i] + (1.0 - beta2) * g * g
        decayed = new_w[i] * shrink
        new_w[i] = decayed - lr * (new_m[i] / c1) / (math.sqrt(new_v[i] / c2) + eps)
    return new_w, new_m, new_v
