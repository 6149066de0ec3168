import numpy as np


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(np.shape(x))
    for index in np.ndindex(np.shape(x)):
        e = np.zeros(np.shape(x))
        e[index] = h
        grad[index] = (f(x + e) - f(x - e)) / (2 * h)
    return grad
