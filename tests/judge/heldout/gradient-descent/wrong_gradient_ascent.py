"""Adds the gradient instead of subtracting it, so it climbs uphill."""
import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    x = np.array(x0, dtype=float)
    path = [x.copy()]
    for _ in range(steps):
        x = x + lr * grad_fn(x)
        path.append(x.copy())
    return np.array(path)
