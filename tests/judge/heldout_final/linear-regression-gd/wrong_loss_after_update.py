"""Records the loss after the update instead of before it, so losses[0] is not the all-zero model's loss."""

import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    losses = []
    for _ in range(epochs):
        r = X @ w + b - y
        w = w - lr * (2 / n) * (X.T @ r)
        b = b - lr * (2 / n) * np.sum(r)
        losses.append(np.mean((X @ w + b - y) ** 2))
    return w, float(b), np.array(losses)
