"""Forgets to divide the bias gradient by N: uses 2 * sum(r) for b."""
import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    losses = []
    for _ in range(epochs):
        r = X @ w + b - y
        losses.append(np.mean(r ** 2))
        w = w - lr * (2 / n) * (X.T @ r)
        b = b - lr * 2 * np.sum(r)
    return w, float(b), np.array(losses)
