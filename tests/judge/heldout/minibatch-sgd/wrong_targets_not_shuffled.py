"""Shuffles the rows of X but takes the targets y in their original order, so rows and targets no longer match."""
import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed) -> np.ndarray:
    w = np.array(w0, dtype=float)
    n = X.shape[0]
    for e in range(epochs):
        order = np.random.default_rng(seed + e).permutation(n)
        X_shuffled = X[order]
        for start in range(0, n, batch_size):
            Xb = X_shuffled[start:start + batch_size]
            yb = y[start:start + batch_size]
            w = w - lr * (2 / len(yb)) * Xb.T @ (Xb @ w - yb)
    return w
