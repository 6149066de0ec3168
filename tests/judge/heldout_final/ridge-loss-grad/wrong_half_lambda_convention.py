"""Uses the (lam / 2) * ||w||^2 convention for the penalty, with gradient lam * w, instead of lam * ||w||^2."""
import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    n = X.shape[0]
    r = X @ w - y
    loss = float(np.mean(r ** 2) + 0.5 * lam * np.dot(w, w))
    grad = (2.0 / n) * (X.T @ r) + lam * w
    return loss, grad
