# wrong: off by one in the seed, numbers epochs from 1 (default_rng(seed + e + 1))
import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed):
    w = w0.copy()
    n = len(X)
    for e in range(1, epochs + 1):
        order = np.random.default_rng(seed + e).permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            w = w - lr * (2 / len(idx)) * X[idx].T @ (X[idx] @ w - y[idx])
    return w
