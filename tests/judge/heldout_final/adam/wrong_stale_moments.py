"""Steps with the old m and v passed in, computing the new averages only for the return."""

import numpy as np


def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    new_w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    new_m = beta1 * m + (1 - beta1) * grad
    new_v = beta2 * v + (1 - beta2) * grad**2
    return new_w, new_m, new_v
