# wrong: ignores the h argument and always uses 1e-5
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    step = 1e-5
    x = x.astype(float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + step
        up = f(x)
        x[i] = old - step
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * step)
    return grad
