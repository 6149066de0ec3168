"""Computes the gradient with the residual y - Xw (sign flipped data term) while the loss is right."""
import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    n = X.shape[0]
    err = y - X @ w
    loss = float(np.mean(err ** 2) + lam * np.sum(w ** 2))
    grad = 2 / n * X.T @ err + 2 * lam * w
    return loss, grad
