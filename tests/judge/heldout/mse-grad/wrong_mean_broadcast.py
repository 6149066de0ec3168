"""Takes the derivative of the whole loss as one number (2 * mean miss) and fills every entry with it."""
import numpy as np


def mse_grad(y_pred, y_true) -> np.ndarray:
    slope = 2 * np.mean(y_pred - y_true)
    return np.full_like(y_pred, slope, dtype=float)
