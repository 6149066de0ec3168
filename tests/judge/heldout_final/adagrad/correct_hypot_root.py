"""Correct: gets the root of the new sum as np.hypot(sqrt(old sum), grad), without forming the sum first."""

import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    root = np.hypot(np.sqrt(sq_sum), grad)
    new_w = w - lr * grad / (root + eps)
    new_sq_sum = sq_sum + np.square(grad)
    return new_w, new_sq_sum
