import numpy as np


def adamw_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    new_w = np.array(w, dtype=float)
    new_w *= 1 - lr * weight_decay
    new_m = np.array(m, dtype=float)
    new_m *= beta1
    new_m += (1 - beta1) * grad
    new_v = np.array(v, dtype=float)
    new_v *= beta2
    new_v += (1 - beta2) * grad * grad
    bc1 = 1 - beta1 ** t
    bc2 = 1 - beta2 ** t
    new_w -= lr * (new_m / bc1) / (np.sqrt(new_v / bc2) + eps)
    return new_w, new_m, new_v
