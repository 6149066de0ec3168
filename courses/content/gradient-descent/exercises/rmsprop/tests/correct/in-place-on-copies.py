import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    s = np.array(sq_avg, dtype=float)
    s *= alpha
    s += (1 - alpha) * np.square(grad)
    denom = np.sqrt(s)
    denom += eps
    new_w = np.array(w, dtype=float)
    new_w -= lr * grad / denom
    return new_w, s
