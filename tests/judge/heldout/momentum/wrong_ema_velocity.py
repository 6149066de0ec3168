"""Keeps an exponential moving average v = beta v + (1 - beta) g instead of the sum v = beta v + g."""
import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + (1 - beta) * grad
    new_w = w - lr * new_velocity
    return new_w, new_velocity
