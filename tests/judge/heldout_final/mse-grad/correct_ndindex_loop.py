"""Correct: fills the gradient entry by entry with np.ndindex."""
import numpy as np


def mse_grad(y_pred, y_true) -> np.ndarray:
    n = int(np.prod(y_pred.shape))
    out = np.empty(y_pred.shape, dtype=float)
    for idx in np.ndindex(y_pred.shape):
        out[idx] = 2.0 * (float(y_pred[idx]) - float(y_true[idx])) / n
    return out
