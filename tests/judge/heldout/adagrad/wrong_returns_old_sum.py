"""Steps with the new sum but returns the old sum, so the history never grows between steps."""
import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    total = sq_sum + grad ** 2
    new_w = w - lr * grad / (np.sqrt(total) + eps)
    return new_w, np.array(sq_sum, dtype=float)
