import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    velocity = beta * velocity + (1 - beta) * grad
    return w - lr * (grad + beta * velocity), velocity
