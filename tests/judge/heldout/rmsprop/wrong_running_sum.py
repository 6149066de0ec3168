"""Accumulates a running sum of squared gradients (as Adagrad does) instead of a decaying average."""
import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    new_sq = sq_avg + grad ** 2
    new_w = w - lr * grad / (np.sqrt(new_sq) + eps)
    return new_w, new_sq
