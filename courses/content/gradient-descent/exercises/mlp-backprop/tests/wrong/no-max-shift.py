# wrong: exponentiates raw logits, so large activations overflow to inf and nan
import numpy as np


def mlp_loss_and_grads(params, X, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    z1 = X @ W1 + b1
    h = np.maximum(0, z1)
    e = np.exp(h @ W2 + b2)
    probs = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(n), y]))
    d = probs.copy()
    d[np.arange(n), y] -= 1
    d /= n
    dz1 = (d @ W2.T) * (z1 > 0)
    return float(loss), {"W1": X.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ d, "b2": d.sum(axis=0)}
