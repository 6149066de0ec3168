import numpy as np


def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    w = np.asarray(w, dtype=np.float64)
    grad = np.asarray(grad, dtype=np.float64)
    m = np.asarray(m, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    new_m = beta1 * m + (1.0 - beta1) * grad
    new_v = beta2 * v + (1.0 - beta2) * (grad * grad)
    # Both averages start at zero and are biased towards it for the first steps;
    # dividing by 1 - beta^t undoes exactly that bias (Kingma & Ba, 2015).
    m_hat = new_m / (1.0 - beta1**t)
    v_hat = new_v / (1.0 - beta2**t)
    new_w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return new_w, new_m, new_v
