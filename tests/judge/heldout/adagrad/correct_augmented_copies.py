"""Copies the inputs and updates the copies with augmented assignments (+= and -=)."""
import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    s = np.array(sq_sum, dtype=float, copy=True)
    s += grad * grad
    new_w = np.array(w, dtype=float, copy=True)
    scale = np.sqrt(s)
    scale += eps
    new_w -= lr * grad / scale
    return new_w, s
