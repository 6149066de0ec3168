# wrong: uses the sum of squared residuals (loss and gradient) instead of the mean
import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    losses = []
    for _ in range(epochs):
        r = X @ w + b - y
        losses.append(np.sum(r ** 2))
        w = w - lr * 2 * X.T @ r
        b = b - lr * 2 * r.sum()
    return w, b, np.array(losses)
