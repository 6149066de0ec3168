"""Steps with the sum from before this step's gradient is added (update order swapped)."""

import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    new_w = w - lr * grad / (np.sqrt(sq_sum) + eps)
    new_sq_sum = sq_sum + grad ** 2
    return new_w, new_sq_sum
