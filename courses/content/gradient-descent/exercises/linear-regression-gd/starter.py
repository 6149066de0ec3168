import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    """Full-batch gradient descent on the MSE of y_hat = X @ w + b.

    Starts from w = 0, b = 0. Returns (w, b, losses) where losses[k] is the MSE
    measured before the k-th update and len(losses) == epochs.
    Leave X and y unchanged.
    """
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    losses = []
    for epoch in range(epochs):
        # predict, record the loss, compute both gradients, then update
        pass
    return w, b, np.array(losses)
