import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    w = np.asarray(w, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    residual = X @ w - y
    n = residual.size
    loss = np.mean(residual * residual) + lam * np.sum(w * w)
    grad = (2.0 / n) * (X.T @ residual) + 2.0 * lam * w
    return float(loss), grad
