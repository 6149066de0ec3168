"""Steps along the unit gradient direction (divides the gradient by its norm) instead of the raw gradient."""
import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    x = np.array(x0, dtype=float)
    path = [x.copy()]
    for _ in range(steps):
        g = grad_fn(x)
        norm = np.linalg.norm(g)
        if norm > 0:
            g = g / norm
        x = x - lr * g
        path.append(x.copy())
    return np.array(path)
