"""Correct: accumulates the batch gradient row by row before each update."""

import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed) -> np.ndarray:
    w = np.array(w0, dtype=float)
    n = X.shape[0]
    for e in range(epochs):
        order = list(np.random.default_rng(seed + e).permutation(n))
        batches = [order[i : i + batch_size] for i in range(0, n, batch_size)]
        for batch in batches:
            g = np.zeros_like(w)
            for i in batch:
                g += (X[i] @ w - y[i]) * X[i]
            w = w - lr * 2.0 * g / len(batch)
    return w
