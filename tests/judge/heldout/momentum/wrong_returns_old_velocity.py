"""Computes the new velocity for the step but returns the old one, so the state is not carried to the next step."""
import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    v = beta * velocity + grad
    new_w = w - lr * v
    return new_w, velocity.copy()
