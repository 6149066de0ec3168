import numpy as np


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def train_mlp(X, y, hidden=16, lr=0.5, epochs=300, seed=0):
    n, d = X.shape
    classes = y.max() + 1
    onehot = np.eye(classes)[y]
    rng = np.random.default_rng(seed)
    W1 = rng.normal(0, 1 / np.sqrt(d), size=(d, hidden))
    W2 = rng.normal(0, 1 / np.sqrt(hidden), size=(hidden, classes))
    b1, b2 = np.zeros(hidden), np.zeros(classes)
    losses = []
    for epoch in range(epochs):
        a = X @ W1 + b1
        h = np.tanh(a)
        z = h @ W2 + b2
        m = z.max(axis=1, keepdims=True)
        logsumexp = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
        losses.append(np.mean(logsumexp - (z * onehot).sum(axis=1)))
        dz = (softmax(z) - onehot) / n
        da = (dz @ W2.T) / np.cosh(a) ** 2
        gW2, gb2 = h.T @ dz, dz.sum(0)
        gW1, gb1 = X.T @ da, da.sum(0)
        W1, b1, W2, b2 = W1 - lr * gW1, b1 - lr * gb1, W2 - lr * gW2, b2 - lr * gb2
    return dict(W1=W1, b1=b1, W2=W2, b2=b2), np.array(losses)
