"""Correct: preallocates the (steps + 1, d) array and fills each row from the one before."""

import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    start = np.asarray(x0, dtype=float)
    traj = np.empty((steps + 1, start.shape[0]))
    traj[0] = start
    for k in range(1, steps + 1):
        traj[k] = traj[k - 1] - lr * np.asarray(grad_fn(traj[k - 1].copy()), dtype=float)
    return traj
