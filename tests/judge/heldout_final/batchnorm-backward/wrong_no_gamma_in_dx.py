"""Forgets that out is gamma * xhat: pushes dout itself (not gamma * dout) back through the normalization."""

import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dx = (n * dout - dout.sum(axis=0) - xhat * (dout * xhat).sum(axis=0)) / (n * std)
    return dx, dgamma, dbeta
