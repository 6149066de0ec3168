import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed):
    w = w0.copy()
    n = len(X)
    order = np.random.default_rng(seed).permutation(n)
    for e in range(epochs):
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            Xb, yb = X[idx], y[idx]
            w = w - lr * (2 / len(idx)) * Xb.T @ (Xb @ w - yb)
    return w
