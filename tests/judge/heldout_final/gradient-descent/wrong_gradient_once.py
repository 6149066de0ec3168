"""Evaluates the gradient once at x0 before the loop and reuses that stale gradient at every step."""

import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    x = np.array(x0, dtype=float)
    g = grad_fn(x)
    path = [x]
    for _ in range(steps):
        x = x - lr * g
        path.append(x)
    return np.array(path)
