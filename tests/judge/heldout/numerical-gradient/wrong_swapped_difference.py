"""Subtracts in the wrong order, (f(x - h e_i) - f(x + h e_i)) / (2h), flipping every sign."""
import numpy as np


def numerical_gradient(f, x, h=1e-5) -> np.ndarray:
    probe = np.array(x, dtype=float)
    grad = np.zeros_like(probe)
    for index in np.ndindex(probe.shape):
        original = probe[index]
        probe[index] = original - h
        left = f(probe)
        probe[index] = original + h
        right = f(probe)
        probe[index] = original
        grad[index] = (left - right) / (2 * h)
    return grad
