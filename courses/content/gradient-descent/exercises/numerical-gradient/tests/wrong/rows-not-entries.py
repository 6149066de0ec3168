# wrong: loops over range(len(x)), so for a 2-D x it nudges whole rows at once (and fails on 0-d)
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    x = x.astype(float)
    grad = np.zeros_like(x)
    for i in range(len(x)):
        old = x[i].copy()
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad
