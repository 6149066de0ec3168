"""Writes X^T r as r @ X and the penalty as lam times the dot product of w with itself."""
import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    w = np.asarray(w, dtype=float)
    r = X.dot(w) - y
    n = r.shape[0]
    loss = r.dot(r) / n + lam * w.dot(w)
    grad = r @ X * (2.0 / n) + w * (2.0 * lam)
    return float(loss), grad
