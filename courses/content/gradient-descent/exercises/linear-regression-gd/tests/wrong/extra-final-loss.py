# wrong: off by one, also appends the loss after the last update, so len(losses) == epochs + 1
import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    losses = []
    for _ in range(epochs):
        r = X @ w + b - y
        losses.append(np.mean(r ** 2))
        w = w - lr * 2 / n * X.T @ r
        b = b - lr * 2 * r.mean()
    losses.append(np.mean((X @ w + b - y) ** 2))
    return w, b, np.array(losses)
