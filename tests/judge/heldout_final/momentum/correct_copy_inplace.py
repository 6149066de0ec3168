"""Correct: copies the inputs first and then updates the copies in place."""

import numpy as np


def momentum_step(w, grad, velocity, lr, beta=0.9):
    v = velocity.copy()
    v *= beta
    v += grad
    new_w = w.copy()
    new_w -= lr * v
    return new_w, v
