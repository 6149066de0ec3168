"""Works on flattened copies, scales by the precomputed factor 2/n, then restores the shape."""
import numpy as np


def mse_grad(y_pred, y_true) -> np.ndarray:
    shape = np.shape(y_pred)
    p = np.array(y_pred, dtype=float).ravel()
    t = np.array(y_true, dtype=float).ravel()
    factor = 2.0 / p.size
    return (factor * (p - t)).reshape(shape)
