"""Step-by-step backprop that drops the 2 from d(var)/dx = 2 (x - mu) / N, halving the variance path."""

import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc ** 2).mean(axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = xc * inv_std

    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)

    dxhat = dout * gamma
    dvar = np.sum(dxhat * xc, axis=0) * -0.5 * inv_std ** 3
    dmu = np.sum(-dxhat * inv_std, axis=0) + dvar * np.mean(-2.0 * xc, axis=0)
    dx = dxhat * inv_std + dvar * xc / n + dmu / n
    return dx, dgamma, dbeta
