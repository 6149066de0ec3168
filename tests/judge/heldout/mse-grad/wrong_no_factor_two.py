"""Forgets the factor 2 from differentiating the square: returns (p - t) / n."""
import numpy as np


def mse_grad(y_pred, y_true) -> np.ndarray:
    n = y_pred.size
    return (y_pred - y_true) / n
