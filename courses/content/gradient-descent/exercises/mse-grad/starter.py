import numpy as np


def mse_grad(y_pred, y_true) -> np.ndarray:
    """Gradient of mse_loss(y_pred, y_true) with respect to y_pred.

    Returns a new array shaped like y_pred whose entries are 2 * (p - t) / n,
    with n the number of entries. Leave the inputs unchanged.
    """
    n = y_pred.size
    # replace this placeholder with the gradient
    return np.zeros_like(y_pred, dtype=float)
