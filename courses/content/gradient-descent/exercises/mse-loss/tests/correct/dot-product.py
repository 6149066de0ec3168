import numpy as np


def mse_loss(y_pred, y_true) -> float:
    d = np.subtract(y_pred, y_true).reshape(-1)
    return float(d @ d) / d.size
