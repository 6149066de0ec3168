"""Creates one generator default_rng(seed) before the loop and draws every epoch's permutation from it."""
import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed) -> np.ndarray:
    w = np.array(w0, dtype=float)
    n = X.shape[0]
    rng = np.random.default_rng(seed)
    for e in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            Xb, yb = X[idx], y[idx]
            w = w - lr * (2 / len(idx)) * Xb.T @ (Xb @ w - yb)
    return w
