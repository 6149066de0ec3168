import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed):
    w = w0.copy()
    n = len(X)
    for e in range(epochs):
        order = np.random.default_rng(seed + e).permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            Xb, yb = X[idx], y[idx]
            w = w - lr * (2 / batch_size) * Xb.T @ (Xb @ w - yb)
    return w
