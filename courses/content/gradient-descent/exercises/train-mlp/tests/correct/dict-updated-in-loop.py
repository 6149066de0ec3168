import numpy as np


def train_mlp(X, y, hidden=16, lr=0.5, epochs=300, seed=0):
    X = np.array(X, dtype=float)
    N, D = X.shape
    C = int(y.max()) + 1
    rng = np.random.default_rng(seed)
    p = {}
    p["W1"] = rng.normal(0.0, 1.0 / np.sqrt(D), (D, hidden))
    p["W2"] = rng.normal(0.0, 1.0 / np.sqrt(hidden), (hidden, C))
    p["b1"] = np.zeros(hidden)
    p["b2"] = np.zeros(C)
    losses = []
    for _ in range(epochs):
        h = np.tanh(X @ p["W1"] + p["b1"])
        logits = h @ p["W2"] + p["b2"]
        losses.append(float(np.mean(np.logaddexp.reduce(logits, axis=1) - logits[np.arange(N), y])))
        probs = np.exp(logits - np.logaddexp.reduce(logits, axis=1)[:, None])
        probs[np.arange(N), y] -= 1.0
        g = {"W2": h.T @ probs / N, "b2": probs.mean(axis=0)}
        back = (probs @ p["W2"].T) * (1.0 - h**2)
        g["W1"] = X.T @ back / N
        g["b1"] = back.mean(axis=0)
        for k in p:
            p[k] = p[k] - lr * g[k]
    return p, losses
