"""Uses the one-sided forward difference (f(x + h e_i) - f(x)) / h instead of the central difference."""
import numpy as np


def numerical_gradient(f, x, h=1e-5) -> np.ndarray:
    probe = np.array(x, dtype=float)
    grad = np.zeros_like(probe)
    base = f(probe.copy())
    for index in np.ndindex(probe.shape):
        original = probe[index]
        probe[index] = original + h
        grad[index] = (f(probe) - base) / h
        probe[index] = original
    return grad
