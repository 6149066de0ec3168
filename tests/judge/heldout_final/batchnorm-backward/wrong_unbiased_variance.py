"""Computes the batch variance with N - 1 in the denominator (np.var with ddof=1) instead of N."""

import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = np.var(x, axis=0, ddof=1)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    g = gamma * dout
    dx = (n * g - g.sum(axis=0) - xhat * (g * xhat).sum(axis=0)) / (n * std)
    return dx, dgamma, dbeta
