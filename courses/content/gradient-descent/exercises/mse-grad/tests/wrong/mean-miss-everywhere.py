# wrong: gives every entry the same slope, the mean miss, instead of its own
import numpy as np


def mse_grad(y_pred, y_true):
    return np.full(y_pred.shape, 2.0 * np.mean(y_pred - y_true))
