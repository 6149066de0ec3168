"""Borrows Adam's bias correction and divides the average by (1 - alpha) before taking the root."""
import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    new_sq = alpha * sq_avg + (1 - alpha) * grad ** 2
    corrected = new_sq / (1 - alpha)
    new_w = w - lr * grad / (np.sqrt(corrected) + eps)
    return new_w, new_sq
