import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    # w - lr * (beta * v + g), written out term by term
    new_w = w - lr * beta * velocity - lr * grad
    return new_w, np.add(np.multiply(beta, velocity), grad)
