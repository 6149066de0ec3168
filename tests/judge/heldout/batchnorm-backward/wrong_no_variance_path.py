"""Subtracts the mean of the upstream gradient (the path through mu) but leaves out the path through the variance."""
import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    g = gamma * dout
    dx = (g - g.mean(axis=0)) / std
    return dx, dgamma, dbeta
