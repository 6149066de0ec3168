# wrong: returns a flat vector instead of keeping the shape of y_pred
import numpy as np


def mse_grad(y_pred, y_true):
    return 2.0 * (y_pred - y_true).ravel() / y_pred.size
