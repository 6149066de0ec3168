# wrong: forgets beta in front of the new velocity, w - lr * (grad + velocity)
import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    v = beta * velocity + grad
    return w - lr * (grad + v), v
