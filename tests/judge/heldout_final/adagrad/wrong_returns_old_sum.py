"""Steps correctly but returns the incoming sq_sum, so the history never grows from call to call."""

import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    total = sq_sum + grad * grad
    new_w = w - lr * grad / (np.sqrt(total) + eps)
    return new_w, np.array(sq_sum, copy=True)
