"""Cuts each epoch's order with np.split at multiples of batch_size and uses einsum for the gradient."""
import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed) -> np.ndarray:
    w = np.array(w0, dtype=float, copy=True)
    n = X.shape[0]
    cuts = list(range(batch_size, n, batch_size))
    for e in range(epochs):
        order = np.random.default_rng(seed + e).permutation(n)
        for idx in np.split(order, cuts):
            Xb, yb = X[idx], y[idx]
            r = np.einsum("bd,d->b", Xb, w) - yb
            w = w - lr * (2.0 / idx.size) * np.einsum("bd,b->d", Xb, r)
    return w
