"""Averages the miss with np.mean-style division and then divides by n a second time."""
import numpy as np


def mse_grad(y_pred, y_true) -> np.ndarray:
    n = y_pred.size
    per_entry = (y_pred - y_true) / n  # the "mean" part
    return 2 * per_entry / n
