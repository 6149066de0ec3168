import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    dx = dout * gamma / std
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)
