"""Differentiates the sum of squares instead of the mean: returns 2 * (p - t) without dividing by n."""
import numpy as np


def mse_grad(y_pred, y_true) -> np.ndarray:
    return 2.0 * (y_pred - y_true)
