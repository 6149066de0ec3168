"""Computes each new point from x0 rather than from the current point: x = x0 - lr * grad(x)."""
import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    start = np.array(x0, dtype=float)
    x = start.copy()
    path = [start.copy()]
    for _ in range(steps):
        x = start - lr * grad_fn(x)
        path.append(x.copy())
    return np.array(path)
