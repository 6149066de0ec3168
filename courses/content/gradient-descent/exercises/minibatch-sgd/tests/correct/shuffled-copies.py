import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed):
    w = np.copy(w0).astype(np.float64)
    for e in range(epochs):
        perm = np.random.default_rng(seed + e).permutation(X.shape[0])
        Xs, ys = X[perm], y[perm]
        for s in range(0, len(ys), batch_size):
            Xb, yb = Xs[s:s + batch_size], ys[s:s + batch_size]
            w = w - (2.0 * lr / len(yb)) * (Xb.T @ (Xb @ w) - Xb.T @ yb)
    return w
