"""Uses floor division // to divide the total by the number of entries."""
import numpy as np


def mse_loss(y_pred, y_true) -> float:
    total = np.sum((y_pred - y_true) ** 2)
    return float(total // y_pred.size)
