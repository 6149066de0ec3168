"""Records the point after every update but not x0 itself, running one extra update to fill steps + 1 rows."""
import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    x = np.array(x0, dtype=float)
    path = []
    for _ in range(steps + 1):
        x = x - lr * grad_fn(x)
        path.append(x.copy())
    return np.array(path)
