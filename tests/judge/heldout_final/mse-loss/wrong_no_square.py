"""Forgets to square the misses, so positive and negative misses cancel."""
import numpy as np


def mse_loss(y_pred, y_true) -> float:
    return float(np.mean(y_pred - y_true))
