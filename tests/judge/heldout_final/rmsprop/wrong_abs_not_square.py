"""Averages the absolute gradient instead of the squared gradient."""

import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    new_sq = alpha * sq_avg + (1 - alpha) * np.abs(grad)
    new_w = w - lr * grad / (np.sqrt(new_sq) + eps)
    return new_w, new_sq
