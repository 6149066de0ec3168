"""Loops over every entry with flat iteration and sums exactly with math.fsum."""
import math

import numpy as np


def mse_loss(y_pred, y_true) -> float:
    misses = [(p - t) ** 2 for p, t in zip(np.ravel(y_pred), np.ravel(y_true))]
    return math.fsum(misses) / len(misses)
