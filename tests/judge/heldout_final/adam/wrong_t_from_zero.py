"""Thinks t counts from 0 and bias-corrects with beta ** (t + 1)."""

import numpy as np


def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m = beta1 * m + (1 - beta1) * grad
    new_v = beta2 * v + (1 - beta2) * grad**2
    step = t + 1
    m_hat = new_m / (1 - beta1**step)
    v_hat = new_v / (1 - beta2**step)
    new_w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return new_w, new_m, new_v
