"""Takes the square root of the mean squared error (returns RMSE)."""
import numpy as np


def mse_loss(y_pred, y_true) -> float:
    return float(np.sqrt(np.mean((y_pred - y_true) ** 2)))
