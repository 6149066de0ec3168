# wrong: differentiates with the residual y - X w but keeps the plus sign, so the data gradient points uphill
import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    r = y - X @ w
    loss = np.mean(r ** 2) + lam * np.sum(w ** 2)
    grad = 2 * X.T @ r / len(y) + 2 * lam * w
    return float(loss), grad
