"""Computes the batch variance with N - 1 in the denominator (ddof=1) and backpropagates through that."""
import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    mu = x.mean(axis=0)
    centred = x - mu
    var = (centred ** 2).sum(axis=0) / (n - 1)
    std = np.sqrt(var + eps)
    xhat = centred / std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dvar = (dxhat * centred).sum(axis=0) * -0.5 * std ** -3
    dmu = -dxhat.sum(axis=0) / std
    dx = dxhat / std + dvar * 2.0 * centred / (n - 1) + dmu / n
    return dx, dgamma, dbeta
