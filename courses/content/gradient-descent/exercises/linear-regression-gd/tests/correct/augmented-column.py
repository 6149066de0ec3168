import numpy as np


def fit_linear_regression(X, y, lr, epochs):
    # fold the bias into the weights with a column of ones
    n, d = X.shape
    A = np.hstack([X, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    losses = np.zeros(epochs)
    for k in range(epochs):
        r = A @ theta - y
        losses[k] = r @ r / n
        theta = theta - lr * (2.0 / n) * (A.T @ r)
    return theta[:d], float(theta[d]), losses
