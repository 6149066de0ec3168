# wrong (advisory): updates the caller's x0 in place while walking
import numpy as np


def gradient_descent(grad_fn, x0, lr, steps):
    x = x0
    path = [x.copy()]
    for _ in range(steps):
        x -= lr * grad_fn(x)
        path.append(x.copy())
    return np.array(path)
