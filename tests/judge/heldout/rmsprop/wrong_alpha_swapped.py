"""Swaps the weights of the moving average: (1 - alpha) on the old average and alpha on the new squared gradient."""
import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    new_sq = (1 - alpha) * sq_avg + alpha * grad ** 2
    new_w = w - lr * grad / (np.sqrt(new_sq) + eps)
    return new_w, new_sq
