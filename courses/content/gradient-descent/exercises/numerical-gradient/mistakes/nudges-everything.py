import numpy as np


def numerical_gradient(f, x, h=1e-5):
    slope = (f(x + h) - f(x - h)) / (2 * h)
    return np.full(np.shape(x), slope, dtype=float)
