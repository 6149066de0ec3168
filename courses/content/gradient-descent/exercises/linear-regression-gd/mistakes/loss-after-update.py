import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    losses = []
    for _ in range(epochs):
        r = X @ w + b - y
        w = w - lr * 2 * X.T @ r / n
        b = b - lr * 2 * r.mean()
        losses.append(np.mean((X @ w + b - y) ** 2))
    return w, b, np.array(losses)
