# wrong (advisory): trains the caller's w0 array in place
import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed):
    w = w0
    n = len(X)
    for e in range(epochs):
        order = np.random.default_rng(seed + e).permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            w -= lr * (2 / len(idx)) * X[idx].T @ (X[idx] @ w - y[idx])
    return w.copy()
