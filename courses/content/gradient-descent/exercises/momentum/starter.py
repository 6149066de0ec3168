import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    """One step of SGD with momentum.

    velocity <- beta * velocity + grad, then w <- w - lr * velocity.
    Returns (new_w, new_velocity) as new arrays; leaves the inputs unchanged.
    """
    new_velocity = velocity  # placeholder: fold in the gradient
    new_w = w  # placeholder: step against the new velocity
    return new_w, new_velocity
