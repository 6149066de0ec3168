# wrong: appends the same array object every step, so every row ends up equal to the last point
import numpy as np


def gradient_descent(grad_fn, x0, lr, steps):
    x = x0.copy()
    path = [x]
    for _ in range(steps):
        x -= lr * grad_fn(x)
        path.append(x)
    return np.array(path)
