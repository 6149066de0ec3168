"""Correct: sums the squared misses over .flat in a plain Python loop."""
import numpy as np


def mse_loss(y_pred, y_true) -> float:
    total = 0.0
    count = 0
    for p, t in zip(np.asarray(y_pred).flat, np.asarray(y_true).flat):
        total += (float(p) - float(t)) ** 2
        count += 1
    return total / count
