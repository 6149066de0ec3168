"""After nudging up by h, subtracts only h (not 2h), so the 'minus' evaluation is at x itself."""
import numpy as np


def numerical_gradient(f, x, h=1e-5) -> np.ndarray:
    probe = np.array(x, dtype=float)
    grad = np.zeros_like(probe)
    for index in np.ndindex(probe.shape):
        original = probe[index]
        probe[index] += h
        f_plus = f(probe)
        probe[index] -= h
        f_minus = f(probe)
        grad[index] = (f_plus - f_minus) / (2 * h)
        probe[index] = original
    return grad
