"""Divides the total by the number of rows len(y_pred) instead of the number of entries."""
import numpy as np


def mse_loss(y_pred, y_true) -> float:
    return float(np.sum((y_pred - y_true) ** 2) / len(y_pred))
