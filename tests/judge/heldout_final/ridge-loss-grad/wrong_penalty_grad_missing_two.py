"""Differentiates the penalty lam * sum(w**2) as lam * w, dropping the factor 2."""
import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    n = X.shape[0]
    r = X @ w - y
    loss = float(np.mean(r ** 2) + lam * np.sum(w ** 2))
    grad = 2 / n * X.T @ r + lam * w
    return loss, grad
