"""Correct: updates each weight in a plain Python loop over flat indices with math.sqrt."""

import math

import numpy as np


def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    w_out = np.array(w, dtype=float).copy()
    m_out = np.array(m, dtype=float).copy()
    v_out = np.array(v, dtype=float).copy()
    g = np.asarray(grad, dtype=float)
    c1 = 1.0 - beta1**t
    c2 = 1.0 - beta2**t
    for idx in np.ndindex(w_out.shape):
        mi = beta1 * m_out[idx] + (1.0 - beta1) * g[idx]
        vi = beta2 * v_out[idx] + (1.0 - beta2) * g[idx] * g[idx]
        m_out[idx] = mi
        v_out[idx] = vi
        w_out[idx] = w_out[idx] - lr * (mi / c1) / (math.sqrt(vi / c2) + eps)
    return w_out, m_out, v_out
