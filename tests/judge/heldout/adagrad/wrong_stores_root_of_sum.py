"""Returns the square root of the new sum as the state, so the next step adds grad squared to a root."""
import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    root = np.sqrt(sq_sum + grad ** 2)
    new_w = w - lr * grad / (root + eps)
    return new_w, root
