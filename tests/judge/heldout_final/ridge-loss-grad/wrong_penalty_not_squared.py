"""Penalises the norm itself, lam * ||w||, instead of the squared norm."""
import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    n = X.shape[0]
    r = X @ w - y
    norm = np.linalg.norm(w)
    loss = float(np.mean(r ** 2) + lam * norm)
    grad = 2 / n * X.T @ r + lam * w / (norm + 1e-12)
    return loss, grad
