import numpy as np


def adamw_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    # w - lr * (adam_direction + wd * w) is the same as decaying first: the decay term
    # is added after the adaptive scaling, so it stays decoupled.
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    direction = (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return w - lr * (direction + weight_decay * w), m, v
