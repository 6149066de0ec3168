import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.array(w0, dtype=np.float64, copy=True)
    n = X.shape[0]
    for epoch in range(int(epochs)):
        # a fresh, reproducible shuffle per epoch, seeded exactly as the task says
        order = np.random.default_rng(seed + epoch).permutation(n)
        for start in range(0, n, int(batch_size)):
            batch = order[start : start + int(batch_size)]
            Xb, yb = X[batch], y[batch]
            # the last batch may be short: average over the rows it really has
            w = w - lr * (2.0 / len(batch)) * (Xb.T @ (Xb @ w - yb))
    return w
