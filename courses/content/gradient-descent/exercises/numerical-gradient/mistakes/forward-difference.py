import numpy as np


def numerical_gradient(f, x, h=1e-5):
    x = x.astype(float)
    grad = np.zeros_like(x)
    fx = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - fx) / h
        x[i] = old
    return grad
