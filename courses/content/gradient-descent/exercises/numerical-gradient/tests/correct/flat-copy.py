import numpy as np


def numerical_gradient(f, x, h=1e-5):
    shape = np.shape(x)
    flat = np.array(x, dtype=float).ravel()
    out = []
    for i in range(flat.size):
        plus = flat.copy()
        minus = flat.copy()
        plus[i] += h
        minus[i] -= h
        out.append((f(plus.reshape(shape)) - f(minus.reshape(shape))) / (2.0 * h))
    return np.array(out, dtype=float).reshape(shape)
