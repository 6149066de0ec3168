import numpy as np


def nesterov_step(w, grad, velocity, lr, beta=0.9):
    new_v = np.empty(np.shape(w))
    new_w = np.empty(np.shape(w))
    for i in np.ndindex(new_w.shape):
        new_v[i] = beta * velocity[i] + grad[i]
        new_w[i] = w[i] - lr * (grad[i] + beta * new_v[i])
    return new_w, new_v
