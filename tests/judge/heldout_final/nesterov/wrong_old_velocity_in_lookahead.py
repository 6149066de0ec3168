"""Looks ahead with the old velocity: w = w - lr * (grad + beta * velocity_before_update)."""

import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + grad
    new_w = w - lr * (grad + beta * velocity)
    return new_w, new_velocity
