import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed) -> np.ndarray:
    """Mini-batch SGD on the MSE of a linear model y_hat = X @ w (no bias).

    Epoch e shuffles with np.random.default_rng(seed + e).permutation(N) and takes
    batches of batch_size in that order (the last one may be smaller). Each batch:
    w <- w - lr * (2 / B) * Xb.T @ (Xb @ w - yb), B = rows in the batch.
    Returns the final w; leaves X, y and w0 unchanged.
    """
    w = np.array(w0, dtype=float)
    n = X.shape[0]
    for e in range(epochs):
        order = np.random.default_rng(seed + e).permutation(n)
        # walk through `order` batch by batch and update w
    return w
