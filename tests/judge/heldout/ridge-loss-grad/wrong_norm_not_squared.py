"""Uses the length of w, lam * ||w||, as the penalty instead of its squared length."""
import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    n = X.shape[0]
    residual = X @ w - y
    norm = np.linalg.norm(w)
    loss = float(np.mean(residual ** 2) + lam * norm)
    grad = (2 / n) * X.T @ residual + (lam * w / norm if norm > 0 else np.zeros_like(w))
    return loss, grad
