"""Correct: uses np.subtract and np.multiply with a precomputed factor 2 / n."""
import numpy as np


def mse_grad(y_pred, y_true) -> np.ndarray:
    factor = 2.0 / np.size(y_pred)
    return np.multiply(np.subtract(y_pred, y_true, dtype=float), factor)
