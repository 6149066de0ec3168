import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    s = np.array(sq_sum, dtype=float)
    s += np.square(grad)
    denom = np.sqrt(s)
    denom += eps
    new_w = np.array(w, dtype=float)
    new_w -= lr * grad / denom
    return new_w, s
