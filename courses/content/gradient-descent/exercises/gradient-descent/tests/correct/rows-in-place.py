import numpy as np


def gradient_descent(grad_fn, x0, lr, steps):
    path = np.tile(np.asarray(x0, dtype=float), (steps + 1, 1))
    for k in range(steps):
        path[k + 1] = path[k] - lr * grad_fn(path[k].copy())
    return path
