"""Walks the forward graph backwards one node at a time: xhat, then var, then mu, then x."""
import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    mu = x.mean(axis=0)
    xmu = x - mu
    var = (xmu ** 2).mean(axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = xmu * inv_std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dvar = (dxhat * xmu).sum(axis=0) * -0.5 * inv_std ** 3
    dmu = (-dxhat * inv_std).sum(axis=0) + dvar * (-2.0 * xmu).mean(axis=0)
    dx = dxhat * inv_std + dvar * 2.0 * xmu / n + dmu / n
    return dx, dgamma, dbeta
