"""The bias gradient sums the residuals without dividing by N: 2 * sum(r)."""

import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    losses = []
    for _ in range(epochs):
        r = X @ w + b - y
        losses.append(float(np.mean(r**2)))
        grad_w = 2 / n * X.T @ r
        grad_b = 2 * np.sum(r)
        w = w - lr * grad_w
        b = b - lr * grad_b
    return w, float(b), np.array(losses)
