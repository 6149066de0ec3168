"""Drops the factor 2 from both gradients (uses 1/N instead of 2/N)."""

import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    losses = []
    for _ in range(epochs):
        r = X @ w + b - y
        losses.append(np.mean(r**2))
        w = w - lr * (X.T @ r) / n
        b = b - lr * np.sum(r) / n
    return w, float(b), np.array(losses)
