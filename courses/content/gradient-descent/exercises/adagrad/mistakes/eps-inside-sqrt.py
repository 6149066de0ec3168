import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    s = sq_sum + grad ** 2
    return w - lr * grad / np.sqrt(s + eps), s
