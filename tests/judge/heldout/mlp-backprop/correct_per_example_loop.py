"""Backpropagates one example at a time with explicit loops and adds up the per-example gradients."""
import math

import numpy as np


def mlp_loss_and_grads(params, X, y):
    W1, b1, W2, b2 = (np.asarray(params[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
    n = X.shape[0]
    grads = {"W1": np.zeros_like(W1), "b1": np.zeros_like(b1),
             "W2": np.zeros_like(W2), "b2": np.zeros_like(b2)}
    total = 0.0
    for i in range(n):
        x = X[i]
        z = x @ W1 + b1
        a = np.where(z > 0, z, 0.0)
        s = a @ W2 + b2
        top = float(np.max(s))
        log_norm = top + math.log(float(np.sum(np.exp(s - top))))
        label = int(y[i])
        total += log_norm - s[label]
        ds = np.exp(s - log_norm)
        ds[label] -= 1.0
        ds /= n
        grads["W2"] += np.outer(a, ds)
        grads["b2"] += ds
        dz = (W2 @ ds) * (z > 0)
        grads["W1"] += np.outer(x, dz)
        grads["b1"] += dz
    return total / n, grads
