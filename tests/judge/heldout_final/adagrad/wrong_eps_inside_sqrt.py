"""Puts eps inside the square root: divides by sqrt(sq_sum + eps) instead of sqrt(sq_sum) + eps."""

import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    new_sq_sum = sq_sum + grad ** 2
    new_w = w - lr * grad / np.sqrt(new_sq_sum + eps)
    return new_w, new_sq_sum
