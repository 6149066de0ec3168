import numpy as np


def mse_grad(y_pred, y_true):
    out = np.empty(y_pred.shape)
    n = y_pred.size
    for idx in np.ndindex(y_pred.shape):
        out[idx] = 2.0 * (y_pred[idx] - y_true[idx]) / n
    return out
