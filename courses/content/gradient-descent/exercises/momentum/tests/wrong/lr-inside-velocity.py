# wrong: folds the learning rate into the velocity (v = beta v + lr g, w -= v), so the returned velocity is off
import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    v = beta * velocity + lr * grad
    return w - v, v
