"""Takes the root of v and of the correction separately: sqrt(v_hat) = sqrt(v) / sqrt(1 - beta2 ** t)."""
import numpy as np


def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m = beta1 * m + (1.0 - beta1) * grad
    new_v = beta2 * v + (1.0 - beta2) * np.square(grad)
    m_hat = new_m / (1.0 - beta1 ** t)
    root_v_hat = np.sqrt(new_v) / np.sqrt(1.0 - beta2 ** t)
    return w - lr * m_hat / (root_v_hat + eps), new_m, new_v
