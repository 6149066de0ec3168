"""Applies a Nesterov-style look-ahead step w - lr (g + beta v) instead of plain momentum."""
import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + grad
    new_w = w - lr * (grad + beta * new_velocity)
    return new_w, new_velocity
