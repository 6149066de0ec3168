"""Correct: builds each column's N x N Jacobian of out with respect to x and multiplies by dout."""

import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    x = np.asarray(x, dtype=float)
    dout = np.asarray(dout, dtype=float)
    n, d = x.shape
    dx = np.zeros((n, d))
    dgamma = np.zeros(d)
    dbeta = np.zeros(d)
    eye = np.eye(n)
    for j in range(d):
        col = x[:, j]
        mu = col.mean()
        s = np.sqrt(np.mean((col - mu) ** 2) + eps)
        xhat = (col - mu) / s
        # d xhat_i / d x_k = (delta_ik - 1/n - xhat_i * xhat_k / n) / s
        jac = (eye - 1.0 / n - np.outer(xhat, xhat) / n) / s
        dx[:, j] = gamma[j] * (jac.T @ dout[:, j])
        dgamma[j] = np.dot(dout[:, j], xhat)
        dbeta[j] = dout[:, j].sum()
    return dx, dgamma, dbeta
