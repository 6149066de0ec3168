import numpy as np


def mse_loss(y_pred, y_true) -> float:
    y_pred = np.asarray(y_pred, dtype=np.float64)
    y_true = np.asarray(y_true, dtype=np.float64)
    miss = y_pred - y_true
    return float(np.mean(miss * miss))
