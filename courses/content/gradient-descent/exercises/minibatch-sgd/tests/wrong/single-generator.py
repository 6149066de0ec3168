# wrong: one generator seeded once and reused, so epochs after the first get different orders than default_rng(seed + e)
import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    w = w0.copy()
    n = len(X)
    for e in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            w = w - lr * (2 / len(idx)) * X[idx].T @ (X[idx] @ w - y[idx])
    return w
