"""Nudges by h/2 on each side (a total width of h) but still divides by 2h, halving the slope."""
import numpy as np


def numerical_gradient(f, x, h=1e-5) -> np.ndarray:
    probe = np.array(x, dtype=float)
    grad = np.zeros_like(probe)
    for index in np.ndindex(probe.shape):
        original = probe[index]
        probe[index] = original + h / 2
        up = f(probe)
        probe[index] = original - h / 2
        down = f(probe)
        probe[index] = original
        grad[index] = (up - down) / (2 * h)
    return grad
