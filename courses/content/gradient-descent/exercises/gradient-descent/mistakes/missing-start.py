import numpy as np


def gradient_descent(grad_fn, x0, lr, steps):
    x = x0.copy()
    path = []
    for _ in range(steps):
        x = x - lr * grad_fn(x)
        path.append(x)
    return np.array(path)
