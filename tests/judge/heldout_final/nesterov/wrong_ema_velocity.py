"""Keeps the velocity as an average, beta * v + (1 - beta) * g, instead of the plain sum."""

import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + (1.0 - beta) * grad
    new_w = w - lr * (grad + beta * new_velocity)
    return new_w, new_velocity
