"""Missing parentheses: 2 / n * y_pred - y_true scales only the prediction, not the difference."""
import numpy as np


def mse_grad(y_pred, y_true) -> np.ndarray:
    n = y_pred.size
    return 2 / n * y_pred - y_true
