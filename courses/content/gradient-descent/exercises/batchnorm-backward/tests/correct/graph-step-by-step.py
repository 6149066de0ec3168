import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    # forward, one node at a time
    mu = np.sum(x, axis=0) / n
    xc = x - mu
    sq = xc**2
    var = np.sum(sq, axis=0) / n
    std = np.sqrt(var + eps)
    inv = 1.0 / std
    xhat = xc * inv

    # backward through the same nodes, in reverse
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    dinv = np.sum(dxhat * xc, axis=0)
    dxc = dxhat * inv
    dstd = -dinv / std**2
    dvar = dstd * 0.5 / np.sqrt(var + eps)
    dsq = np.ones_like(sq) * dvar / n
    dxc = dxc + 2 * xc * dsq
    dmu = -np.sum(dxc, axis=0)
    dx = dxc + dmu / n
    return dx, dgamma, dbeta
