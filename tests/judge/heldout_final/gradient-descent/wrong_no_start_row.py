"""Records only the points after each update and leaves out the starting point x0."""

import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    x = np.array(x0, dtype=float)
    path = []
    for _ in range(steps):
        x = x - lr * grad_fn(x)
        path.append(x)
    return np.array(path).reshape(-1, x.size)
