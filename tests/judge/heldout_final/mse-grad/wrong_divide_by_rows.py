"""Divides by the number of rows len(y_pred) instead of the number of entries."""
import numpy as np


def mse_grad(y_pred, y_true) -> np.ndarray:
    n = len(y_pred)
    return 2 * (y_pred - y_true) / n
