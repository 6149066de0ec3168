"""Correct: loops over every index with math.sqrt instead of vectorised numpy."""

import math

import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    new_w = np.empty_like(w, dtype=float)
    new_sq = np.empty_like(sq_avg, dtype=float)
    for idx in np.ndindex(np.shape(w)):
        g = float(grad[idx])
        s = alpha * float(sq_avg[idx]) + (1.0 - alpha) * g * g
        new_sq[idx] = s
        new_w[idx] = float(w[idx]) - lr * g / (math.sqrt(s) + eps)
    return new_w, new_sq
