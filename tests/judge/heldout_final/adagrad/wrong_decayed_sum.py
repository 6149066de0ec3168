"""Confuses AdaGrad with RMSProp: keeps a decaying average 0.9 * s + 0.1 * g**2 instead of the plain sum."""

import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    new_sq_sum = 0.9 * sq_sum + 0.1 * grad ** 2
    new_w = w - lr * grad / (np.sqrt(new_sq_sum) + eps)
    return new_w, new_sq_sum
