"""Updates the velocity but takes the look-ahead term from the old velocity: w - lr (g + beta v_old)."""
import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + grad
    new_w = w - lr * (grad + beta * velocity)
    return new_w, new_velocity
