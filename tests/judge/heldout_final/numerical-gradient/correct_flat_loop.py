"""Correct: loops over flat positions on a raveled copy, reshaping it back before each call of f."""
import numpy as np


def numerical_gradient(f, x, h=1e-5) -> np.ndarray:
    shape = np.shape(x)
    flat = np.array(x, dtype=float).reshape(-1)
    out = np.zeros(flat.size)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + h
        up = f(flat.reshape(shape).copy())
        flat[i] = keep - h
        down = f(flat.reshape(shape).copy())
        flat[i] = keep
        out[i] = (up - down) / (2 * h)
    return out.reshape(shape)
