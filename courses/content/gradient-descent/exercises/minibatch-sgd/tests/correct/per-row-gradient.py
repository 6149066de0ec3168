import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed):
    w = np.array(w0, dtype=float)
    n = X.shape[0]
    for e in range(epochs):
        order = list(np.random.default_rng(seed + e).permutation(n))
        while order:
            batch, order = order[:batch_size], order[batch_size:]
            grad = np.zeros_like(w)
            for i in batch:
                grad += (X[i] @ w - y[i]) * X[i]
            w = w - lr * 2.0 * grad / len(batch)
    return w
