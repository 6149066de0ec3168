"""Builds two fresh copies of x for every entry, so nothing has to be restored."""
import numpy as np


def numerical_gradient(f, x, h=1e-5) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    grad = np.empty(x.shape, dtype=float)
    for index, value in np.ndenumerate(x):
        up = x.copy()
        down = x.copy()
        up[index] = value + h
        down[index] = value - h
        grad[index] = (f(up) - f(down)) / (2.0 * h)
    return grad
