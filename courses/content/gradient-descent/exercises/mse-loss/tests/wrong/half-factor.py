# wrong: uses the 1/2-scaled loss some textbooks use for tidier derivatives
import numpy as np


def mse_loss(y_pred, y_true) -> float:
    return float(0.5 * np.mean((y_pred - y_true) ** 2))
