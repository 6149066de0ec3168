"""Only walks full batches (n // batch_size of them) and silently skips the leftover rows."""

import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed) -> np.ndarray:
    w = np.array(w0, dtype=float)
    n = X.shape[0]
    for e in range(epochs):
        order = np.random.default_rng(seed + e).permutation(n)
        for k in range(n // batch_size):
            idx = order[k * batch_size : (k + 1) * batch_size]
            Xb, yb = X[idx], y[idx]
            w = w - lr * (2 / len(idx)) * Xb.T @ (Xb @ w - yb)
    return w
