"""Defines the residual as y - y_hat but keeps the update w -= lr * (2/N) X^T r, so it steps uphill."""
import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    losses = []
    for _ in range(epochs):
        r = y - (X @ w + b)
        losses.append(np.mean(r ** 2))
        w = w - lr * (2 / n) * (X.T @ r)
        b = b - lr * (2 / n) * np.sum(r)
    return w, float(b), np.array(losses)
