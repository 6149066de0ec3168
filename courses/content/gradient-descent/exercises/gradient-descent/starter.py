import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    """Run `steps` updates x <- x - lr * grad_fn(x) from x0.

    Returns the trajectory, shape (steps + 1, d): row 0 is x0, row k + 1 the point
    after k + 1 updates. Leave x0 unchanged.
    """
    path = [np.array(x0, dtype=float)]
    # add one row per update here
    return np.array(path)
