"""Fills a fresh array entry by entry with np.ndindex."""
import numpy as np


def mse_grad(y_pred, y_true) -> np.ndarray:
    n = y_pred.size
    out = np.empty(y_pred.shape, dtype=float)
    for idx in np.ndindex(y_pred.shape):
        out[idx] = 2.0 * (y_pred[idx] - y_true[idx]) / n
    return out
