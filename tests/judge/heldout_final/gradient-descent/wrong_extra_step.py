"""Loop bound off by one: runs steps + 1 updates, giving one row too many."""

import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    path = [np.array(x0, dtype=float)]
    x = path[0]
    for _ in range(steps + 1):
        x = x - lr * grad_fn(x)
        path.append(x)
    return np.array(path)
