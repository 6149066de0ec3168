"""Evaluates the gradient once at x0 and reuses it for every step."""
import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    x = np.array(x0, dtype=float)
    g = np.asarray(grad_fn(x), dtype=float)
    path = [x.copy()]
    for _ in range(steps):
        x = x - lr * g
        path.append(x.copy())
    return np.array(path)
