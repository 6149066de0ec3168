import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    velocity = beta * velocity + grad
    return w - lr * velocity, velocity
