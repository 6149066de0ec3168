import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    # the full N x N Jacobian of each normalized column, applied to the upstream gradient
    n, d = x.shape
    centre = np.eye(n) - 1.0 / n
    dx = np.empty((n, d))
    xhat = np.empty((n, d))
    for j in range(d):
        xc = centre @ x[:, j]
        s = np.sqrt(xc @ xc / n + eps)
        xhat[:, j] = xc / s
        jac = (centre - np.outer(xhat[:, j], xhat[:, j]) / n) / s  # d xhat_k / d x_i, symmetric
        dx[:, j] = jac.T @ (gamma[j] * dout[:, j])
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)
