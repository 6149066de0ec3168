"""Accumulates the data loss and gradient example by example, then adds the penalty."""
import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    n, d = X.shape
    loss = 0.0
    grad = np.zeros(d)
    for i in range(n):
        r = float(np.dot(X[i], w) - y[i])
        loss += r * r / n
        grad += (2.0 * r / n) * X[i]
    loss += lam * float(np.dot(w, w))
    grad = grad + 2.0 * lam * np.asarray(w, dtype=float)
    return loss, grad
