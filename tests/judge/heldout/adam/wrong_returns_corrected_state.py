"""Returns the bias-corrected m_hat and v_hat as the state instead of the raw averages."""
import numpy as np


def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m = m / (1 - beta1 ** t)
    v = v / (1 - beta2 ** t)
    new_w = w - lr * m / (np.sqrt(v) + eps)
    return new_w, m, v
