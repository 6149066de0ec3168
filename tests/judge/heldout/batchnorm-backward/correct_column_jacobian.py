"""Builds each column's N x N Jacobian of xhat with respect to x and multiplies the upstream gradient through it."""
import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    x = np.asarray(x, dtype=float)
    dout = np.asarray(dout, dtype=float)
    n, d = x.shape
    dx = np.empty((n, d))
    dgamma = np.empty(d)
    dbeta = np.empty(d)
    for j in range(d):
        col = x[:, j]
        centred = col - col.sum() / n
        s = np.sqrt(np.dot(centred, centred) / n + eps)
        xhat = centred / s
        # d xhat_i / d x_k = (delta_ik - 1/N - xhat_i xhat_k / N) / s, a symmetric matrix
        jac = (np.eye(n) - np.full((n, n), 1.0 / n) - np.outer(xhat, xhat) / n) / s
        dx[:, j] = jac.T @ (gamma[j] * dout[:, j])
        dgamma[j] = np.dot(dout[:, j], xhat)
        dbeta[j] = dout[:, j].sum()
    return dx, dgamma, dbeta
