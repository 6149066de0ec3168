import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    dout = np.asarray(dout, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    gamma = np.asarray(gamma, dtype=np.float64)
    n = x.shape[0]

    # the forward pass again, keeping what the backward pass needs
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)  # divides by N, as the forward pass does
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std

    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    # every x[i, j] moves the column's mean and variance too, which reach every row:
    # those two paths are the two subtracted terms
    dxhat = dout * gamma
    dx = (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (n * std)
    return dx, dgamma, dbeta
