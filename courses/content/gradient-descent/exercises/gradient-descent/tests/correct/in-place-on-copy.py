import numpy as np


def gradient_descent(grad_fn, x0, lr, steps):
    x = x0.astype(np.float64)  # astype copies
    path = np.zeros((steps + 1, x.size))
    path[0] = x
    for k in range(1, steps + 1):
        g = grad_fn(x.copy())
        x -= lr * g
        path[k] = x
    return path
