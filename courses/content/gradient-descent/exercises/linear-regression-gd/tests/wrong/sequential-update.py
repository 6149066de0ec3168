# wrong: updates w first, then computes the bias gradient from the new w (not a simultaneous update)
import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    losses = []
    for _ in range(epochs):
        r = X @ w + b - y
        losses.append(np.mean(r ** 2))
        w = w - lr * 2 / n * X.T @ r
        b = b - lr * 2 * np.mean(X @ w + b - y)
    return w, b, np.array(losses)
