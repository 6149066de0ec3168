import numpy as np


def numerical_gradient(f, x, h=1e-5) -> np.ndarray:
    """Central-difference estimate of the gradient of f at x (any shape).

    For every index i: (f(x + h e_i) - f(x - h e_i)) / (2 h).
    Returns a new array shaped like x; x must be unchanged afterwards.
    """
    probe = np.array(x, dtype=float)  # a private copy to nudge
    grad = np.zeros_like(probe)
    for index in np.ndindex(probe.shape):
        pass  # nudge probe[index] up and down, evaluate f, restore it
    return grad
