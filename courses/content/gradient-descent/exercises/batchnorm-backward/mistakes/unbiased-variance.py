import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = x.var(axis=0, ddof=1)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    dxhat = dout * gamma
    dvar = np.sum(dxhat * (x - mu), axis=0) * -0.5 * std**-3
    dmu = -np.sum(dxhat, axis=0) / std
    dx = dxhat / std + dvar * 2 * (x - mu) / (n - 1) + dmu / n
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)
