import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    # a momentum step, plus beta times the change in velocity
    v_new = np.multiply(beta, velocity) + grad
    step = v_new + beta * (v_new - velocity)
    return np.subtract(w, lr * step), v_new
