"""Correct: walks over every index with np.ndindex and plain Python floats."""

import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    new_w = np.empty(np.shape(w), dtype=float)
    new_v = np.empty(np.shape(velocity), dtype=float)
    for idx in np.ndindex(np.shape(w)):
        g = float(grad[idx])
        v = beta * float(velocity[idx]) + g
        new_v[idx] = v
        new_w[idx] = float(w[idx]) - lr * (g + beta * v)
    return new_w, new_v
