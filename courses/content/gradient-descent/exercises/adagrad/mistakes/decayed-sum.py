import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    # RMSProp's moving average instead of a sum
    s = 0.99 * sq_sum + 0.01 * grad ** 2
    return w - lr * grad / (np.sqrt(s) + eps), s
