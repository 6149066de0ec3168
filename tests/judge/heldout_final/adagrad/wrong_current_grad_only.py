"""Updates the sum but scales the step by this step's gradient size only, sqrt(grad**2), ignoring the history."""

import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    new_sq_sum = sq_sum + grad ** 2
    new_w = w - lr * grad / (np.sqrt(grad ** 2) + eps)
    return new_w, new_sq_sum
