# wrong: moves the weights correctly but hands back the old velocity
import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    v = beta * velocity + grad
    return w - lr * (grad + beta * v), velocity
