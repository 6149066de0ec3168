"""Uses np.var of the misses, which subtracts the mean miss before squaring."""
import numpy as np


def mse_loss(y_pred, y_true) -> float:
    return float(np.var(y_pred - y_true))
