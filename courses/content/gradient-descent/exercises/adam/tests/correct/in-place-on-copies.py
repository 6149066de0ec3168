import numpy as np


def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m2 = m.copy()
    m2 *= beta1
    m2 += (1 - beta1) * grad
    v2 = v.copy()
    v2 *= beta2
    v2 += (1 - beta2) * np.square(grad)
    denom = np.sqrt(v2 / (1 - beta2 ** t))
    denom += eps
    w2 = w.copy()
    w2 -= lr * (m2 / (1 - beta1 ** t)) / denom
    return w2, m2, v2
