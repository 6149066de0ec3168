"""Computes the residual X w - y once at the start of each epoch and reuses it for every batch, so later batches use stale weights."""
import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed) -> np.ndarray:
    w = np.array(w0, dtype=float)
    n = X.shape[0]
    for e in range(epochs):
        order = np.random.default_rng(seed + e).permutation(n)
        residual = X @ w - y
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            w = w - lr * (2 / len(idx)) * X[idx].T @ residual[idx]
    return w
