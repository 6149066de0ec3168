"""Correct: expands the step as w - lr*beta*v_old - lr*g, without forming the new velocity first."""

import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    new_w = w - lr * beta * velocity - lr * grad
    new_velocity = np.add(np.multiply(velocity, beta), grad)
    return new_w, new_velocity
