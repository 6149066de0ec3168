"""Averages the squared weights in the penalty (lam * mean(w^2)) instead of summing them."""
import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    n, d = X.shape
    residual = X @ w - y
    loss = float(np.mean(residual ** 2) + lam * np.mean(w ** 2))
    grad = (2 / n) * X.T @ residual + 2 * lam * w / d
    return loss, grad
