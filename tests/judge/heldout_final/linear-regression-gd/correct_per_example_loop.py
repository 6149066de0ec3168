"""Correct: accumulates the loss and both gradients example by example in a Python loop."""

import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    losses = np.zeros(epochs)
    for epoch in range(epochs):
        gw = np.zeros(d)
        gb = 0.0
        total = 0.0
        for i in range(n):
            ri = float(np.dot(X[i], w)) + b - float(y[i])
            total += ri * ri
            gw += 2.0 * ri * X[i] / n
            gb += 2.0 * ri / n
        losses[epoch] = total / n
        w = w - lr * gw
        b = b - lr * gb
    return w, float(b), losses
