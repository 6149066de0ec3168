"""Builds the trajectory with itertools.accumulate, one update per element."""
import itertools

import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    def update(x, _):
        return x - lr * grad_fn(x)

    start = np.array(x0, dtype=float)
    points = itertools.accumulate(range(steps), update, initial=start)
    return np.stack(list(points))
