"""Correct: copies the inputs, then updates the copies in place with ufuncs and out= arguments."""

import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    s = np.array(sq_sum, dtype=float, copy=True)
    s += np.multiply(grad, grad)
    denom = np.sqrt(s)
    denom += eps
    step = np.divide(grad, denom)
    step *= lr
    new_w = np.array(w, dtype=float, copy=True)
    np.subtract(new_w, step, out=new_w)
    return new_w, s
