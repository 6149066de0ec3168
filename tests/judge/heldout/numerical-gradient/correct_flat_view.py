"""Walks a flat view of a private copy by position and reshapes the result at the end."""
import numpy as np


def numerical_gradient(f, x, h=1e-5) -> np.ndarray:
    probe = np.array(x, dtype=float, copy=True)
    flat = probe.reshape(-1)  # a view on probe
    slopes = np.zeros(flat.size)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + h
        plus = float(f(probe))
        flat[i] = saved - h
        minus = float(f(probe))
        flat[i] = saved
        slopes[i] = (plus - minus) / (2 * h)
    return slopes.reshape(probe.shape)
