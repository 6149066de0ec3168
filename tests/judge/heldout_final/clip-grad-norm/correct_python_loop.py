"""Correct: accumulates the squared entries one by one in a Python loop and uses math.sqrt."""

import math

import numpy as np


def clip_grad_norm(grads, max_norm):
    sq = 0.0
    for g in grads:
        for value in np.asarray(g, dtype=float).flat:
            sq += value * value
    total = math.sqrt(sq)
    out = []
    for g in grads:
        arr = np.array(g, dtype=float, copy=True)
        if total > max_norm:
            arr = arr * (max_norm / (total + 1e-6))
        out.append(arr)
    return out, total
