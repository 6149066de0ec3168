"""Sign slip: adds lr * gradient (gradient ascent) instead of subtracting it."""

import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    path = [np.array(x0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] + lr * grad_fn(path[-1]))
    return np.array(path)
