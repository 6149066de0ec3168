"""Correct: flattens the miss and uses a dot product with itself divided by the number of entries."""
import numpy as np


def mse_loss(y_pred, y_true) -> float:
    d = np.ravel(y_pred) - np.ravel(y_true)
    return float(np.dot(d, d) / d.size)
