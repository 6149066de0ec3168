"""Mixes up x0 and x: each update starts from x0 instead of the current point."""

import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x = x0 - lr * grad_fn(x)
        path.append(x)
    return np.array(path, dtype=float)
