import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    losses = []
    for _ in range(epochs):
        r = X @ w + b - y
        losses.append(np.mean(r ** 2))
        w = w - lr * X.T @ r / n
        b = b - lr * r.mean()
    return w, b, np.array(losses)
