"""Moves the weights with the old velocity, updating the velocity only afterwards."""

import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    new_w = w - lr * velocity
    new_velocity = beta * velocity + grad
    return new_w, new_velocity
