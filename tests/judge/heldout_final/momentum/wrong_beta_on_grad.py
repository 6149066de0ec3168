"""Puts beta on the gradient instead of on the previous velocity: v = velocity + beta * grad."""

import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = velocity + beta * grad
    new_w = w - lr * new_velocity
    return new_w, new_velocity
