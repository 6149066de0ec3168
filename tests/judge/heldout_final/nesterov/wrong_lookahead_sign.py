"""Sign slip in the look-ahead term: steps with grad - beta * velocity instead of grad + beta * velocity."""

import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + grad
    new_w = w - lr * (grad - beta * new_velocity)
    return new_w, new_velocity
