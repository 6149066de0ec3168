import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    w = np.asarray(w, dtype=np.float64)
    grad = np.asarray(grad, dtype=np.float64)
    velocity = np.asarray(velocity, dtype=np.float64)
    new_velocity = beta * velocity + grad
    # The weights move by the gradient plus beta times the *new* velocity: the form that
    # tracks the look-ahead point, so no second gradient evaluation is needed.
    return w - lr * (grad + beta * new_velocity), new_velocity
