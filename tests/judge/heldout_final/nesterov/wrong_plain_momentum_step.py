"""Forgets the look-ahead and steps with the new velocity alone, as plain momentum does."""

import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + grad
    new_w = w - lr * new_velocity
    return new_w, new_velocity
