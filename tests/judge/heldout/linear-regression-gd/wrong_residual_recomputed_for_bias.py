"""Updates w first, then recomputes the residual with the new w before computing the bias gradient."""
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
        r = X @ w + b - y
        b = b - lr * (2 / n) * np.sum(r)
    return w, float(b), np.array(losses)
