"""Adds the velocity to the weights instead of subtracting it."""
import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + grad
    new_w = w + lr * new_velocity
    return new_w, new_velocity
