import numpy as np


def train_mlp(X, y, hidden=16, lr=0.5, epochs=300, seed=0):
    """Train a one-hidden-layer tanh network with full-batch gradient descent.

    X: (N, D) floats; y: (N,) ints in 0 .. C-1 with C = y.max() + 1.
    Initialise with rng = np.random.default_rng(seed): W1 ~ normal(0, 1/sqrt(D)) of shape
    (D, hidden) first, then W2 ~ normal(0, 1/sqrt(hidden)) of shape (hidden, C); b1, b2 zeros.
    Each epoch: forward (h = tanh(X @ W1 + b1), logits = h @ W2 + b2), record the mean
    softmax cross-entropy, backward, then one step on all four parameters.
    Returns ({"W1", "b1", "W2", "b2"}, losses) with losses[k] the loss before update k.
    """
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    c = int(y.max()) + 1
    rng = np.random.default_rng(seed)

    # initialise W1, then W2 (in that order), and the zero biases

    losses = []
    for _ in range(epochs):
        # forward pass, loss (log-softmax), backward pass, update
        pass

    params = {"W1": np.zeros((d, hidden)), "b1": np.zeros(hidden),
              "W2": np.zeros((hidden, c)), "b2": np.zeros(c)}
    return params, losses
