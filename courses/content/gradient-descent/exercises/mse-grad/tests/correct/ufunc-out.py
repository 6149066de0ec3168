import numpy as np


def mse_grad(y_pred, y_true):
    g = np.subtract(y_pred, y_true, dtype=np.float64)
    np.multiply(g, 2.0 / np.prod(y_pred.shape), out=g)
    return g
