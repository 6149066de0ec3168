import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    losses = np.empty(int(epochs))
    for k in range(int(epochs)):
        residual = X @ w + b - y
        losses[k] = np.mean(residual**2)  # recorded before this epoch's update
        # both gradients come from the same residual: a simultaneous update
        grad_w = (2.0 / n) * (X.T @ residual)
        grad_b = 2.0 * np.mean(residual)
        w = w - lr * grad_w
        b = b - lr * grad_b
    return w, float(b), losses
