import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    # grad + beta * (beta * v + grad) = (1 + beta) * grad + beta**2 * v
    new_w = w - lr * (1 + beta) * grad - lr * beta**2 * velocity
    return new_w, beta * velocity + grad
