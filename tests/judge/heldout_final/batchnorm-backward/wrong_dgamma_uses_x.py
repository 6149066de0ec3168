"""Multiplies dout by the raw input x instead of the normalized xhat when summing up dgamma."""

import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x).sum(axis=0)
    g = gamma * dout
    dx = (n * g - g.sum(axis=0) - xhat * (g * xhat).sum(axis=0)) / (n * std)
    return dx, dgamma, dbeta
