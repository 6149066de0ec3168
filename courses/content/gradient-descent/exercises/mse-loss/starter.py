import numpy as np


def mse_loss(y_pred, y_true) -> float:
    """Mean over every entry of (y_pred - y_true) ** 2, as a Python float.

    y_pred, y_true: float arrays of the same shape (any number of dimensions).
    Leave both inputs unchanged.
    """
    # 1. the miss for every entry
    # 2. square it
    # 3. average over all entries (not just the rows)
    raise NotImplementedError("compute the mean squared error")
