"""Correct: loops over the samples to accumulate the squared error and the data gradient, then adds the penalty."""
import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    n, d = X.shape
    sq = 0.0
    g = np.zeros(d)
    for i in range(n):
        ri = float(X[i] @ w) - float(y[i])
        sq += ri * ri
        g += ri * X[i]
    loss = sq / n + lam * float(w @ w)
    grad = 2.0 * g / n + 2.0 * lam * w
    return float(loss), grad
