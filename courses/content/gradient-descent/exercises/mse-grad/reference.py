import numpy as np


def mse_grad(y_pred, y_true) -> np.ndarray:
    y_pred = np.asarray(y_pred, dtype=np.float64)
    y_true = np.asarray(y_true, dtype=np.float64)
    return (2.0 / y_pred.size) * (y_pred - y_true)
