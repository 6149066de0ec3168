"""Correct: writes the gradient as (2/N)(X^T X w - X^T y) + 2 lam w, expanding the residual."""
import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    n = X.shape[0]
    gram = X.T @ X
    xty = X.T @ y
    r = X @ w - y
    loss = float(r @ r / n + lam * (w @ w))
    grad = (2.0 / n) * (gram @ w - xty) + 2.0 * lam * w
    return loss, grad
