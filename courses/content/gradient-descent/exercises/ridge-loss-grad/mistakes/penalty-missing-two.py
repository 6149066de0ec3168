import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    r = X @ w - y
    loss = np.mean(r ** 2) + lam * np.sum(w ** 2)
    grad = 2 * X.T @ r / len(y) + lam * w
    return float(loss), grad
