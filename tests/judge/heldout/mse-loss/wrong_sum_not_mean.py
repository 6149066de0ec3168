"""Returns the sum of the squared misses and never divides by the count."""
import numpy as np


def mse_loss(y_pred, y_true) -> float:
    return float(np.sum((y_pred - y_true) ** 2))
