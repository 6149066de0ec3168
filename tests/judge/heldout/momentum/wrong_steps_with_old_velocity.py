"""Moves w with the old velocity and only then updates the velocity."""
import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    new_w = w - lr * velocity
    new_velocity = beta * velocity + grad
    return new_w, new_velocity
