import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed):
    w = w0.astype(float)
    n = len(y)
    cuts = np.arange(batch_size, n, batch_size)
    for e in range(epochs):
        rng = np.random.default_rng(seed + e)
        for idx in np.split(rng.permutation(n), cuts):
            Xb = X[idx]
            residual = Xb @ w - y[idx]
            w -= lr * 2.0 / idx.size * (residual @ Xb)
    return w
