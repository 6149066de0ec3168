"""Averages the absolute misses (mean absolute error) instead of the squared misses."""
import numpy as np


def mse_loss(y_pred, y_true) -> float:
    return float(np.mean(np.abs(y_pred - y_true)))
