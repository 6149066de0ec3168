"""Multiplies dout by the centred input x - mu for dgamma instead of by the normalized xhat."""
import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    mu = x.mean(axis=0)
    centred = x - mu
    var = (centred ** 2).mean(axis=0)
    std = np.sqrt(var + eps)
    xhat = centred / std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * centred).sum(axis=0)
    g = gamma * dout
    dx = (n * g - g.sum(axis=0) - xhat * (g * xhat).sum(axis=0)) / (n * std)
    return dx, dgamma, dbeta
