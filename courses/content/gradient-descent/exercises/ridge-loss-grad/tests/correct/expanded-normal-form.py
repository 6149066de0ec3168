import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    n = X.shape[0]
    r = X @ w - y
    loss = r @ r / n + lam * (w @ w)
    # 2/N (X^T X w - X^T y) + 2 lam w  ==  2/N X^T (Xw - y) + 2 lam w
    grad = (2.0 / n) * (X.T @ X @ w - X.T @ y) + 2.0 * lam * w
    return float(loss), grad
