# wrong (advisory): updates the caller's velocity array in place
import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    velocity *= beta
    velocity += grad
    return w - lr * (grad + beta * velocity), velocity.copy()
