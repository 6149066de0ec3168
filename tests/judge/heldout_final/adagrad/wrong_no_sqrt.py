"""Forgets the square root and divides the gradient by the sum of squares itself."""

import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    new_sq_sum = sq_sum + grad ** 2
    new_w = w - lr * grad / (new_sq_sum + eps)
    return new_w, new_sq_sum
