import numpy as np


def gradient_descent(grad_fn, x0, lr, steps):
    x = np.array(x0, dtype=float)
    for _ in range(steps):
        x = x - lr * grad_fn(x)
    return x
