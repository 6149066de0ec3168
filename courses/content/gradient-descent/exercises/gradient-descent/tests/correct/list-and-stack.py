import numpy as np


def gradient_descent(grad_fn, x0, lr, steps):
    points = [np.asarray(x0, dtype=float)]
    for _ in range(steps):
        current = points[-1]
        points.append(current - lr * np.asarray(grad_fn(current)))
    return np.stack(points)
