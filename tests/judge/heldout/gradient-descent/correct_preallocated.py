"""Preallocates the (steps + 1, d) trajectory and fills it row by row from the previous row."""
import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    start = np.asarray(x0, dtype=float)
    path = np.empty((steps + 1, start.shape[0]))
    path[0] = start
    for k in range(steps):
        path[k + 1] = path[k] - lr * np.asarray(grad_fn(path[k].copy()), dtype=float)
    return path
