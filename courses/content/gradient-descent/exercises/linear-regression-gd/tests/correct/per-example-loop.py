import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    losses = []
    for _ in range(epochs):
        gw = np.zeros(d)
        gb = 0.0
        total = 0.0
        for i in range(n):
            r = float(X[i] @ w + b - y[i])
            total += r * r
            gw += 2.0 * r * X[i] / n
            gb += 2.0 * r / n
        losses.append(total / n)
        w -= lr * gw
        b -= lr * gb
    return w, b, np.asarray(losses, dtype=float)
