import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    # expand the gradient into precomputed moments: X^T X w + (X^T 1) b - X^T y
    n, d = X.shape
    XtX, Xty, xsum, ysum = X.T @ X, X.T @ y, X.sum(axis=0), y.sum()
    w, b = np.zeros(d), 0.0
    losses = np.empty(epochs)
    for k in range(epochs):
        r = X @ w + b - y
        losses[k] = np.mean(r * r)
        gw = 2.0 / n * (XtX @ w + xsum * b - Xty)
        gb = 2.0 / n * (xsum @ w + n * b - ysum)
        w, b = w - lr * gw, b - lr * gb
    return w, b, losses
