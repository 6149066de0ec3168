"""Correct: expands the step to w - lr * ((1 + beta) * grad + beta**2 * velocity_old)."""

import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    new_w = w - lr * ((1.0 + beta) * grad + beta * beta * velocity)
    new_velocity = beta * velocity + grad
    return new_w, new_velocity
