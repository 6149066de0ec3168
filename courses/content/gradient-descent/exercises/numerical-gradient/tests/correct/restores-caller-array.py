import numpy as np


def numerical_gradient(f, x, h=1e-5):
    # probes the caller's own array but always writes the saved value back
    flat = x.reshape(-1)  # a view: writes go to x
    grad = np.empty(flat.size)
    for i in range(flat.size):
        saved = flat[i]
        try:
            flat[i] = saved + h
            up = float(f(x))
            flat[i] = saved - h
            down = float(f(x))
        finally:
            flat[i] = saved
        grad[i] = (up - down) / (2 * h)
    return grad.reshape(x.shape)
