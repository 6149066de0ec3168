"""Correct: backpropagates through the forward pass one node at a time (xc, var, inv_std, xhat)."""

import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    mu = np.sum(x, axis=0) / n
    xc = x - mu
    var = np.sum(xc * xc, axis=0) / n
    std = np.sqrt(var + eps)
    inv_std = 1.0 / std
    xhat = xc * inv_std

    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * xhat, axis=0)

    dxhat = dout * gamma
    # xhat = xc * inv_std: two inputs
    dinv_std = np.sum(dxhat * xc, axis=0)
    dxc = dxhat * inv_std
    # inv_std = (var + eps) ** -0.5
    dvar = dinv_std * (-0.5) * (var + eps) ** -1.5
    # var = mean(xc ** 2)
    dxc = dxc + dvar * 2.0 * xc / n
    # xc = x - mu, mu = mean(x)
    dmu = -np.sum(dxc, axis=0)
    dx = dxc + dmu / n
    return dx, dgamma, dbeta
