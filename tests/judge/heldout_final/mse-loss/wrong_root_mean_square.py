"""Takes the square root at the end, returning the RMSE instead of the MSE."""
import numpy as np


def mse_loss(y_pred, y_true) -> float:
    return float(np.sqrt(np.mean((y_pred - y_true) ** 2)))
