"""Loops over every element with np.ndindex and updates velocity then weight."""
import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    new_w = np.array(w, dtype=float)
    new_v = np.array(velocity, dtype=float)
    for idx in np.ndindex(new_w.shape):
        new_v[idx] = beta * new_v[idx] + grad[idx]
        new_w[idx] = new_w[idx] - lr * new_v[idx]
    return new_w, new_v
