"""Expands the step by hand as (1 + beta) g + beta v_old, losing the square on beta in front of the old velocity."""
import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + grad
    new_w = w - lr * ((1.0 + beta) * grad + beta * velocity)
    return new_w, new_velocity
