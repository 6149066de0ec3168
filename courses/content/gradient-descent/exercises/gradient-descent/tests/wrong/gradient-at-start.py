# wrong: evaluates the gradient once at x0 and reuses it for every step
import numpy as np


def gradient_descent(grad_fn, x0, lr, steps):
    g = grad_fn(x0)
    return np.array([x0 - k * lr * g for k in range(steps + 1)])
