"""Uses the one-sided forward difference (f(x + h e_i) - f(x)) / h instead of the central difference."""
import numpy as np


def numerical_gradient(f, x, h=1e-5) -> np.ndarray:
    probe = np.array(x, dtype=float)
    grad = np.zeros_like(probe)
    f0 = f(probe.copy())
    for index in np.ndindex(probe.shape):
        up = probe.copy()
        up[index] += h
        grad[index] = (f(up) - f0) / h
    return grad
