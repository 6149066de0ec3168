"""Takes the central difference but divides by h instead of 2h."""
import numpy as np


def numerical_gradient(f, x, h=1e-5) -> np.ndarray:
    probe = np.array(x, dtype=float)
    grad = np.zeros_like(probe)
    for index in np.ndindex(probe.shape):
        original = probe[index]
        probe[index] = original + h
        up = f(probe)
        probe[index] = original - h
        down = f(probe)
        probe[index] = original
        grad[index] = (up - down) / h
    return grad
