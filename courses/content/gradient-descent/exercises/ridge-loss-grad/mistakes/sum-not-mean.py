import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    r = X @ w - y
    loss = np.sum(r ** 2) + lam * np.sum(w ** 2)
    grad = 2 * X.T @ r + 2 * lam * w
    return float(loss), grad
