import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    """One step of Nesterov momentum, in the form libraries use.

    velocity <- beta * velocity + grad
    w        <- w - lr * (grad + beta * velocity)      (with the new velocity)
    Returns (new_w, new_velocity) as new arrays; leaves the inputs unchanged.
    """
    new_velocity = velocity  # placeholder: fold in the gradient
    new_w = w  # placeholder: step with the gradient and the new velocity
    return new_w, new_velocity
