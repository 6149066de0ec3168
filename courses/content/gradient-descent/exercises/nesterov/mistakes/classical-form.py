import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    # the look-ahead form with the learning rate inside the velocity, v <- beta v - lr g
    velocity = beta * velocity - lr * grad
    return w + beta * velocity - lr * grad, velocity
