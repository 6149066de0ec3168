import numpy as np


def mlp_loss_and_grads(params, X, y):
    W1 = np.asarray(params["W1"], dtype=np.float64)
    b1 = np.asarray(params["b1"], dtype=np.float64)
    W2 = np.asarray(params["W2"], dtype=np.float64)
    b2 = np.asarray(params["b2"], dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).astype(np.int64)
    n = X.shape[0]
    rows = np.arange(n)

    # forward pass, keeping what the backward pass needs (z1, h, log_probs)
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0.0)
    logits = h @ W2 + b2
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[rows, y].mean()

    # backward pass, one layer at a time
    d_logits = np.exp(log_probs)
    d_logits[rows, y] -= 1.0
    d_logits /= n
    d_W2 = h.T @ d_logits
    d_b2 = d_logits.sum(axis=0)
    d_h = d_logits @ W2.T
    d_z1 = d_h * (z1 > 0)  # relu passes the gradient only where it was active
    d_W1 = X.T @ d_z1
    d_b1 = d_z1.sum(axis=0)
    return float(loss), {"W1": d_W1, "b1": d_b1, "W2": d_W2, "b2": d_b2}
