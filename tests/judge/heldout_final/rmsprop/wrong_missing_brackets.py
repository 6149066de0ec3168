"""Drops the brackets around (1 - alpha): writes alpha * s + 1 - alpha * g**2 for the new average."""

import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    new_sq = alpha * sq_avg + 1 - alpha * grad**2
    new_w = w - lr * grad / (np.sqrt(new_sq) + eps)
    return new_w, new_sq
