# wrong: puts beta on the gradient instead of the old velocity
import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    v = velocity + beta * grad
    return w - lr * v, v
