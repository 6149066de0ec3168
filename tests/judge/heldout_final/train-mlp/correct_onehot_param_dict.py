"""Correct: keeps the parameters in a dict, uses a one-hot target matrix and updates with a loop over the keys."""

import numpy as np


def _forward(p, X):
    h = np.tanh(X @ p["W1"] + p["b1"])
    logits = h @ p["W2"] + p["b2"]
    return h, logits


def train_mlp(X, y, hidden=16, lr=0.5, epochs=300, seed=0):
    X = np.array(X, dtype=float)
    labels = np.array(y, dtype=int)
    n, d = X.shape
    c = labels.max() + 1
    rng = np.random.default_rng(seed)
    p = {}
    p["W1"] = rng.normal(0.0, 1.0 / np.sqrt(d), size=(d, hidden))
    p["W2"] = rng.normal(0.0, 1.0 / np.sqrt(hidden), size=(hidden, c))
    p["b1"] = np.zeros(hidden)
    p["b2"] = np.zeros(c)
    onehot = np.eye(c)[labels]

    losses = []
    for epoch in range(epochs):
        h, logits = _forward(p, X)
        m = np.max(logits, axis=1, keepdims=True)
        lse = m + np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
        log_p = logits - lse
        losses.append(float(-np.sum(onehot * log_p) / n))

        delta2 = (np.exp(log_p) - onehot) / n
        delta1 = (delta2 @ p["W2"].T) * (1.0 - h * h)
        grads = {
            "W2": h.T @ delta2,
            "b2": delta2.sum(axis=0),
            "W1": X.T @ delta1,
            "b1": delta1.sum(axis=0),
        }
        for key in p:
            p[key] = p[key] - lr * grads[key]

    return {k: p[k] for k in ("W1", "b1", "W2", "b2")}, losses
