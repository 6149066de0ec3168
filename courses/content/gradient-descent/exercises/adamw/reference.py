import numpy as np


def adamw_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    w = np.asarray(w, dtype=np.float64)
    grad = np.asarray(grad, dtype=np.float64)
    m = np.asarray(m, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    # Decoupled weight decay (Loshchilov & Hutter, 2019): shrink the weights directly,
    # outside the adaptive step, so the decay is never rescaled by 1 / sqrt(v_hat).
    decayed = w * (1.0 - lr * weight_decay)
    new_m = beta1 * m + (1.0 - beta1) * grad
    new_v = beta2 * v + (1.0 - beta2) * (grad * grad)
    m_hat = new_m / (1.0 - beta1**t)
    v_hat = new_v / (1.0 - beta2**t)
    new_w = decayed - lr * m_hat / (np.sqrt(v_hat) + eps)
    return new_w, new_m, new_v
