import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    w = np.asarray(w, dtype=np.float64)
    grad = np.asarray(grad, dtype=np.float64)
    velocity = np.asarray(velocity, dtype=np.float64)
    new_velocity = beta * velocity + grad
    return w - lr * new_velocity, new_velocity
