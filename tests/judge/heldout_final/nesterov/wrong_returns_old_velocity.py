"""Computes the new velocity but returns the old one, so the next step never sees the gradient."""

import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    v = beta * velocity + grad
    new_w = w - lr * (grad + beta * v)
    return new_w, velocity.copy()
