import numpy as np


class Dense:
    def __init__(self, W):
        self.W = W
        self.b = np.zeros(W.shape[1])

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad_out, lr):
        grad_in = grad_out @ self.W.T
        self.W = self.W - lr * self.x.T @ grad_out
        self.b = self.b - lr * grad_out.sum(axis=0)
        return grad_in


def train_mlp(X, y, hidden=16, lr=0.5, epochs=300, seed=0):
    rng = np.random.default_rng(seed)
    dim, classes = X.shape[1], int(np.max(y)) + 1
    first = Dense(rng.normal(0.0, dim ** -0.5, (dim, hidden)))
    second = Dense(rng.normal(0.0, hidden ** -0.5, (hidden, classes)))
    losses = []
    for _ in range(epochs):
        h = np.tanh(first.forward(X))
        logits = second.forward(h)
        shifted = logits - logits.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        picked = logp[np.arange(len(y)), y]
        losses.append(-picked.sum() / len(y))
        grad = np.exp(logp)
        grad[np.arange(len(y)), y] -= 1
        grad = grad / len(y)
        grad_h = second.backward(grad, lr)
        first.backward(grad_h * (1 - h * h), lr)
    params = {"W1": first.W, "b1": first.b, "W2": second.W, "b2": second.b}
    return params, losses
