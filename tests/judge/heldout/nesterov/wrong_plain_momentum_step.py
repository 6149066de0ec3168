"""Steps with the new velocity alone, w - lr v, which is plain momentum with no look-ahead."""
import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + grad
    new_w = w - lr * new_velocity
    return new_w, new_velocity
