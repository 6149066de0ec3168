"""Uses the residual y - Xw in the gradient, flipping the sign of the data term."""
import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    n = X.shape[0]
    error = y - X @ w
    loss = float(np.mean(error ** 2) + lam * np.sum(w ** 2))
    grad = (2 / n) * X.T @ error + 2 * lam * w
    return loss, grad
