"""Walks each batch example by example, summing the per-example gradients before one update."""
import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed) -> np.ndarray:
    w = np.array(w0, dtype=float)
    n, d = X.shape
    for e in range(epochs):
        order = np.random.default_rng(seed + e).permutation(n)
        position = 0
        while position < n:
            batch = order[position:position + batch_size]
            position += batch_size
            g = np.zeros(d)
            for i in batch:
                g += (X[i] @ w - y[i]) * X[i]
            w = w - lr * 2.0 * g / len(batch)
    return w
