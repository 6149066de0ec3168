"""Steps correctly but hands back the old velocity, so the state never carries over to the next step."""
import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    v = beta * velocity + grad
    new_w = w - lr * (grad + beta * v)
    return new_w, np.array(velocity, dtype=float)
