"""Averages the per-entry slopes into one number, as for the loss, instead of returning an array of slopes."""
import numpy as np


def mse_grad(y_pred, y_true) -> np.ndarray:
    return np.mean(2 * (y_pred - y_true))
