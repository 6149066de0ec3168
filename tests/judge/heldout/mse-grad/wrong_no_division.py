"""Differentiates the squared error of each entry but never divides by n."""
import numpy as np


def mse_grad(y_pred, y_true) -> np.ndarray:
    return 2 * (y_pred - y_true)
