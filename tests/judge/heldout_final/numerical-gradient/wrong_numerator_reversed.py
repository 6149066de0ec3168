"""Subtracts in the wrong order: (f(x - h e_i) - f(x + h e_i)) / (2h)."""
import numpy as np


def numerical_gradient(f, x, h=1e-5) -> np.ndarray:
    base = np.array(x, dtype=float)
    grad = np.zeros_like(base)
    for index in np.ndindex(base.shape):
        plus = base.copy()
        minus = base.copy()
        plus[index] += h
        minus[index] -= h
        grad[index] = (f(minus) - f(plus)) / (2 * h)
    return grad
