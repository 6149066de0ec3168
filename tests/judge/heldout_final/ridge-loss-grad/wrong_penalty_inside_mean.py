"""Brackets put the penalty inside the division by N, in both the loss and the gradient."""
import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    n = X.shape[0]
    r = X @ w - y
    loss = float((np.sum(r ** 2) + lam * np.sum(w ** 2)) / n)
    grad = (2 * X.T @ r + 2 * lam * w) / n
    return loss, grad
