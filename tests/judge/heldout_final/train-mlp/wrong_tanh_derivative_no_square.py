"""Uses 1 - h instead of 1 - h**2 as the derivative of tanh in the hidden layer."""

import numpy as np


def train_mlp(X, y, hidden=16, lr=0.5, epochs=300, seed=0):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    n, d = X.shape
    c = int(y.max()) + 1
    rng = np.random.default_rng(seed)
    W1 = rng.normal(0, 1 / np.sqrt(d), (d, hidden))
    W2 = rng.normal(0, 1 / np.sqrt(hidden), (hidden, c))
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

        dW2 = h.T @ d_logits
        db2 = d_logits.sum(axis=0)
        dh = d_logits @ W2.T
        dz = dh * (1.0 - h)
        dW1 = X.T @ dz
        db1 = dz.sum(axis=0)

        W1 = W1 - lr * dW1
        b1 = b1 - lr * db1
        W2 = W2 - lr * dW2
        b2 = b2 - lr * db2

    params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return params, losses
