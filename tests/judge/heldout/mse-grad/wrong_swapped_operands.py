"""Swaps the operands of the miss, so the gradient points downhill: 2 (t - p) / n."""
import numpy as np


def mse_grad(y_pred, y_true) -> np.ndarray:
    n = y_pred.size
    return 2 * (y_true - y_pred) / n
