"""Accumulates the loss and both gradients with an explicit loop over the examples."""
import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    losses = []
    for _ in range(epochs):
        gw = np.zeros(d)
        gb = 0.0
        sq = 0.0
        for i in range(n):
            r = float(X[i] @ w + b - y[i])
            sq += r * r
            gw += 2.0 * r * X[i] / n
            gb += 2.0 * r / n
        losses.append(sq / n)
        w = w - lr * gw
        b = b - lr * gb
    return w, float(b), np.array(losses, dtype=float)
