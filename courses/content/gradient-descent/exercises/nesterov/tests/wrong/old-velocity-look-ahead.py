# wrong: the correction uses the old velocity, w - lr * (grad + beta * velocity), which is plain momentum again
import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    new_w = w - lr * (grad + beta * velocity)
    return new_w, beta * velocity + grad
