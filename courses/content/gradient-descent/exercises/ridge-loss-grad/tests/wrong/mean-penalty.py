# wrong: penalizes the mean of w squared instead of the sum (divides the penalty by D)
import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    r = X @ w - y
    loss = np.mean(r ** 2) + lam * np.mean(w ** 2)
    grad = 2 * X.T @ r / len(y) + 2 * lam * w / len(w)
    return float(loss), grad
