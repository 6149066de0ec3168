"""Correct: a while loop that stacks each new point under the trajectory with np.vstack."""
import numpy as np


def gradient_descent(grad_fn, x0, lr, steps) -> np.ndarray:
    traj = np.array(x0, dtype=float).reshape(1, -1)
    k = 0
    while k < steps:
        current = traj[-1].copy()
        nxt = current - lr * np.asarray(grad_fn(current), dtype=float)
        traj = np.vstack([traj, nxt])
        k += 1
    return traj
