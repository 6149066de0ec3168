# wrong: uses beta1 for the squared-gradient average and its correction too
import numpy as np


def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta1 * v + (1 - beta1) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta1 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
