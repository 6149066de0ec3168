# wrong: standardizes the caller's X in place before training (changes the input and the fitted model)
import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    X -= X.mean(axis=0)
    X /= X.std(axis=0) + 1e-12
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    losses = []
    for _ in range(epochs):
        r = X @ w + b - y
        losses.append(np.mean(r ** 2))
        w = w - lr * 2 / n * X.T @ r
        b = b - lr * 2 * r.mean()
    return w, b, np.array(losses)
