"""Loops range(steps + 1) times, returning one update more than asked."""
import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    x = np.array(x0, dtype=float)
    path = [x.copy()]
    for _ in range(steps + 1):
        x = x - lr * grad_fn(x)
        path.append(x.copy())
    return np.array(path)
