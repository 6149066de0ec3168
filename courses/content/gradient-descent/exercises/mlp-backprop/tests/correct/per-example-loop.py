import numpy as np


def mlp_loss_and_grads(params, X, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    grads = {"W1": np.zeros_like(W1), "b1": np.zeros_like(b1), "W2": np.zeros_like(W2), "b2": np.zeros_like(b2)}
    total = 0.0
    for i in range(n):
        x = X[i]
        z = x @ W1 + b1
        h = np.where(z > 0, z, 0.0)
        s = h @ W2 + b2
        s = s - s.max()
        p = np.exp(s) / np.exp(s).sum()
        total += np.log(np.exp(s).sum()) - s[y[i]]
        ds = p.copy()
        ds[y[i]] -= 1.0
        ds /= n
        grads["W2"] += np.outer(h, ds)
        grads["b2"] += ds
        dz = (W2 @ ds) * (z > 0)
        grads["W1"] += np.outer(x, dz)
        grads["b1"] += dz
    return float(total / n), grads
