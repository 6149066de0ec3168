"""Adds the squared gradient summed over all weights to every entry, one shared scale instead of one per weight."""
import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    new_sq_sum = sq_sum + np.sum(grad ** 2)
    new_w = w - lr * grad / (np.sqrt(new_sq_sum) + eps)
    return new_w, new_sq_sum
