"""Correct: a while loop over batch start positions with the gradient written as an einsum over the batch."""

import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed) -> np.ndarray:
    w = np.array(w0, dtype=float, copy=True)
    n = len(y)
    for epoch in range(epochs):
        perm = np.random.default_rng(seed + epoch).permutation(n)
        pos = 0
        while pos < n:
            batch = perm[pos : min(n, pos + batch_size)]
            resid = np.einsum("bd,d->b", X[batch], w) - y[batch]
            grad = 2.0 * np.einsum("bd,b->d", X[batch], resid) / batch.size
            w = w - lr * grad
            pos += batch_size
    return w
