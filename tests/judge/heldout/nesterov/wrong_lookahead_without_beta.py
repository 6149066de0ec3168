"""Adds the whole new velocity to the gradient in the step, w - lr (g + v), dropping the beta on the look-ahead."""
import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + grad
    new_w = w - lr * (grad + new_velocity)
    return new_w, new_velocity
