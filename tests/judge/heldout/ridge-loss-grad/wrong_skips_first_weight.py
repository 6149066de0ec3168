"""Leaves the first weight out of the penalty, treating it like a bias that should not be regularized."""
import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    n = X.shape[0]
    residual = X @ w - y
    penalized = w.copy()
    penalized[0] = 0.0
    loss = float(np.mean(residual ** 2) + lam * np.sum(penalized ** 2))
    grad = (2 / n) * X.T @ residual + 2 * lam * penalized
    return loss, grad
