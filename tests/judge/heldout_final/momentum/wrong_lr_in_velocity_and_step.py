"""Mixes two conventions: folds lr into the velocity and then multiplies by lr again in the step."""

import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + lr * grad
    new_w = w - lr * new_velocity
    return new_w, new_velocity
