"""Records the sum of squared residuals as the loss instead of their mean (the updates are right)."""
import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    losses = []
    for _ in range(epochs):
        r = X @ w + b - y
        losses.append(np.sum(r ** 2))
        w = w - lr * (2 / n) * (X.T @ r)
        b = b - lr * (2 / n) * np.sum(r)
    return w, float(b), np.array(losses)
