"""Averages y_pred**2 - y_true**2 instead of (y_pred - y_true)**2."""
import numpy as np


def mse_loss(y_pred, y_true) -> float:
    return float(np.mean(y_pred ** 2 - y_true ** 2))
