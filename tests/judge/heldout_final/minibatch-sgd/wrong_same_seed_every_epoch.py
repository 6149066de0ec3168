"""Shuffles with default_rng(seed) in every epoch, forgetting to add the epoch number."""

import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed) -> np.ndarray:
    w = np.array(w0, dtype=float)
    n = X.shape[0]
    for e in range(epochs):
        order = np.random.default_rng(seed).permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            Xb, yb = X[idx], y[idx]
            w = w - lr * (2 / len(idx)) * Xb.T @ (Xb @ w - yb)
    return w
