# wrong: missing the 1/B factor, steps with the batch's summed gradient
import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed):
    w = w0.copy()
    n = len(X)
    for e in range(epochs):
        order = np.random.default_rng(seed + e).permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            w = w - lr * 2 * X[idx].T @ (X[idx] @ w - y[idx])
    return w
