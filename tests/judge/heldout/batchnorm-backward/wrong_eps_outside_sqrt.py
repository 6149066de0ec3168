"""Adds eps after the square root, s = sqrt(var) + eps, instead of inside it."""
import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    s = np.sqrt(var) + eps
    xhat = (x - mu) / s
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    g = gamma * dout
    dx = (n * g - g.sum(axis=0) - xhat * (g * xhat).sum(axis=0)) / (n * s)
    return dx, dgamma, dbeta
