import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    velocity = beta * velocity + (1 - beta) * grad
    return w - lr * velocity, velocity
