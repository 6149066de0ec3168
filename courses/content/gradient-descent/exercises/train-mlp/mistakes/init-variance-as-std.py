# 1/D (the variance) used as the standard deviation of W1
import numpy as np


def train_mlp(X, y, hidden=16, lr=0.5, epochs=300, seed=0):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).astype(np.int64)
    n, d = X.shape
    c = int(y.max()) + 1
    rng = np.random.default_rng(seed)
    # The draws' order is part of the contract: W1 first, then W2.
    W1 = rng.normal(0.0, 1.0 / d, (d, hidden))
    W2 = rng.normal(0.0, 1.0 / np.sqrt(hidden), (hidden, c))
    b1 = np.zeros(hidden)
    b2 = np.zeros(c)
    rows = np.arange(n)
    losses = []
    for _ in range(epochs):
        h = np.tanh(X @ W1 + b1)
        logits = h @ W2 + b2
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        losses.append(float(-log_probs[rows, y].mean()))
        d_logits = np.exp(log_probs)
        d_logits[rows, y] -= 1.0
        d_logits /= n
        d_h = d_logits @ W2.T
        d_z = d_h * (1.0 - h**2)
        W2 = W2 - lr * (h.T @ d_logits)
        b2 = b2 - lr * d_logits.sum(axis=0)
        W1 = W1 - lr * (X.T @ d_z)
        b1 = b1 - lr * d_z.sum(axis=0)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, losses
