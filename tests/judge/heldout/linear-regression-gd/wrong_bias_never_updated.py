"""Computes the bias gradient but never applies it, so b stays 0."""
import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    losses = []
    for _ in range(epochs):
        r = X @ w + b - y
        losses.append(np.mean(r ** 2))
        grad_w = (2 / n) * (X.T @ r)
        grad_b = (2 / n) * np.sum(r)
        w = w - lr * grad_w
    return w, float(b), np.array(losses)
