"""Folds the learning rate into the velocity (v = beta v + lr g, w = w - (lr g + beta v)), so the returned velocity is lr times too small."""
import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + lr * grad
    new_w = w - (lr * grad + beta * new_velocity)
    return new_w, new_velocity
