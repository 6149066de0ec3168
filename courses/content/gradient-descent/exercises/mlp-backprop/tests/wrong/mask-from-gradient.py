# wrong: masks with the sign of the upstream gradient (d_h > 0) instead of where the relu input was positive
import numpy as np


def mlp_loss_and_grads(params, X, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    z1 = X @ W1 + b1
    h = np.maximum(0, z1)
    logits = h @ W2 + b2
    logits = logits - logits.max(axis=1, keepdims=True)
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    loss = -np.mean(log_probs[np.arange(n), y])
    d = np.exp(log_probs)
    d[np.arange(n), y] -= 1
    d /= n
    dh = d @ W2.T
    dz1 = dh * (dh > 0)
    return float(loss), {"W1": X.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ d, "b2": d.sum(axis=0)}
