# wrong: divides by the size of the last axis (wrong axis) instead of all entries
import numpy as np


def mse_grad(y_pred, y_true):
    return 2.0 * (y_pred - y_true) / y_pred.shape[-1]
