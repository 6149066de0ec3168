"""Updates the velocity correctly but then steps the weights with the plain gradient."""

import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + grad
    new_w = w - lr * grad
    return new_w, new_velocity
