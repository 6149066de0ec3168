"""Mixes up the two terms of the step: uses the new velocity where the gradient belongs, w - lr * (v + beta * v)."""

import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + grad
    new_w = w - lr * (new_velocity + beta * new_velocity)
    return new_w, new_velocity
