# wrong: off by one, performs steps - 1 updates (shape (steps, d))
import numpy as np


def gradient_descent(grad_fn, x0, lr, steps):
    path = [np.array(x0, dtype=float)]
    for _ in range(1, steps):
        path.append(path[-1] - lr * grad_fn(path[-1]))
    return np.array(path)
