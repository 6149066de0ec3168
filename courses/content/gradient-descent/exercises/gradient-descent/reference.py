import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    x = np.array(x0, dtype=np.float64, copy=True)
    path = np.empty((int(steps) + 1,) + x.shape)
    path[0] = x
    for k in range(int(steps)):
        # a new array each step: neither x0 nor earlier rows are ever written through
        x = x - lr * np.asarray(grad_fn(x), dtype=np.float64)
        path[k + 1] = x
    return path
