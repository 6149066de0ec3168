# wrong: forgets to put each entry back, so later entries are probed at a shifted point
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    x = x.astype(float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        grad[i] = (up - down) / (2 * h)
    return grad
