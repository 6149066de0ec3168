import numpy as np


def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    # fold both corrections into one step size; eps is rescaled so the result is identical
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    c1 = 1 - beta1 ** t
    c2 = 1 - beta2 ** t
    step = lr * np.sqrt(c2) / c1
    return w - step * m / (np.sqrt(v) + eps * np.sqrt(c2)), m, v
