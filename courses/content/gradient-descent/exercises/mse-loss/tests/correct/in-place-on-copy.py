import numpy as np


def mse_loss(y_pred, y_true) -> float:
    diff = np.array(y_pred, dtype=float, copy=True)
    diff -= y_true
    np.square(diff, out=diff)
    return float(diff.sum() / diff.size)
