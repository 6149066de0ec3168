import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    v = np.array(velocity, dtype=float, copy=True)
    v *= beta
    v += grad
    new_w = np.array(w, dtype=float, copy=True)
    new_w -= lr * grad
    new_w -= lr * beta * v
    return new_w, v
