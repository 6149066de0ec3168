"""Shuffles the rows of X but takes the targets y in their original order (y[start:end])."""

import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed) -> np.ndarray:
    w = np.array(w0, dtype=float)
    n = X.shape[0]
    for e in range(epochs):
        order = np.random.default_rng(seed + e).permutation(n)
        for start in range(0, n, batch_size):
            end = min(start + batch_size, n)
            Xb = X[order[start:end]]
            yb = y[start:end]
            w = w - lr * (2 / (end - start)) * Xb.T @ (Xb @ w - yb)
    return w
