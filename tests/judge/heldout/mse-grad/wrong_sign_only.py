"""Uses the sign of the miss (the absolute-error gradient) instead of the miss itself."""
import numpy as np


def mse_grad(y_pred, y_true) -> np.ndarray:
    n = y_pred.size
    return 2 * np.sign(y_pred - y_true) / n
