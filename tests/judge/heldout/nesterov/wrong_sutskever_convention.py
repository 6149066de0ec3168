"""Uses the velocity convention v = beta v - lr g with w = w + beta v - lr g, which reads the given velocity in the wrong units and sign."""
import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity - lr * grad
    new_w = w + beta * new_velocity - lr * grad
    return new_w, new_velocity
