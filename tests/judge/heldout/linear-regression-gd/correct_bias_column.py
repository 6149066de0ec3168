"""Appends a column of ones to X so the bias is the last weight, and runs one vector update."""
import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    Xa = np.hstack([X, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    losses = np.empty(epochs)
    for k in range(epochs):
        r = Xa @ theta - y
        losses[k] = r @ r / n
        theta = theta - lr * (2.0 / n) * (Xa.T @ r)
    return theta[:d].copy(), float(theta[d]), losses
