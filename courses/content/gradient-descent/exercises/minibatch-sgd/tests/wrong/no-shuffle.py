# wrong: never shuffles, takes the batches in the original row order
import numpy as np


def minibatch_sgd(X, y, w0, lr, batch_size, epochs, seed):
    w = w0.copy()
    n = len(X)
    for e in range(epochs):
        for start in range(0, n, batch_size):
            Xb, yb = X[start:start + batch_size], y[start:start + batch_size]
            w = w - lr * (2 / len(yb)) * Xb.T @ (Xb @ w - yb)
    return w
