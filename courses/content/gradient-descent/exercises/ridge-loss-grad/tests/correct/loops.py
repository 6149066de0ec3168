import numpy as np


def ridge_loss_and_grad(w, X, y, lam):
    n, d = X.shape
    grad = np.zeros(d)
    data = 0.0
    for i in range(n):
        r = float(np.dot(X[i], w) - y[i])
        data += r * r
        for j in range(d):
            grad[j] += 2.0 * r * X[i, j] / n
    penalty = 0.0
    for j in range(d):
        penalty += w[j] * w[j]
        grad[j] += 2.0 * lam * w[j]
    return data / n + lam * penalty, grad
