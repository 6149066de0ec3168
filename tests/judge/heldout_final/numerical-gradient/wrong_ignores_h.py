"""Ignores the h argument and always nudges by a hard-coded 1e-5."""
import numpy as np


def numerical_gradient(f, x, h=1e-5) -> np.ndarray:
    eps = 1e-5
    base = np.array(x, dtype=float)
    grad = np.zeros_like(base)
    for index in np.ndindex(base.shape):
        plus = base.copy()
        minus = base.copy()
        plus[index] += eps
        minus[index] -= eps
        grad[index] = (f(plus) - f(minus)) / (2 * eps)
    return grad
