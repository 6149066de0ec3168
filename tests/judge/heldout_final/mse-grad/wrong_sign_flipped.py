"""Writes the miss as t - p, so every entry of the gradient has the wrong sign."""
import numpy as np


def mse_grad(y_pred, y_true) -> np.ndarray:
    n = y_pred.size
    return 2 * (y_true - y_pred) / n
