"""Divides by the square root of the old average, updating the average only afterwards."""
import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    new_w = w - lr * grad / (np.sqrt(sq_avg) + eps)
    new_sq = alpha * sq_avg + (1 - alpha) * grad ** 2
    return new_w, new_sq
