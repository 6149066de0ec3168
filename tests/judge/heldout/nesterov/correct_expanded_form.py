"""Writes the step in expanded form, w - lr ((1 + beta) g + beta^2 v_old), without forming the look-ahead term."""
import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    w = np.asarray(w, dtype=float)
    grad = np.asarray(grad, dtype=float)
    velocity = np.asarray(velocity, dtype=float)
    new_w = w - lr * ((1.0 + beta) * grad + beta * beta * velocity)
    new_velocity = beta * velocity + grad
    return new_w, new_velocity
