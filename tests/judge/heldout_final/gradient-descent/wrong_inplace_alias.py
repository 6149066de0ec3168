"""Updates x in place and appends the same array object every time, so every row ends up as the last point."""

import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x -= lr * grad_fn(x)
        path.append(x)
    return np.array(path)
