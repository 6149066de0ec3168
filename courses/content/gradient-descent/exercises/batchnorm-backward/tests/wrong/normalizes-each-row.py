# wrong: takes the statistics over the features of each example (axis 1, layer norm) instead of over the batch
import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    d = x.shape[1]
    mu = x.mean(axis=1, keepdims=True)
    std = np.sqrt(x.var(axis=1, keepdims=True) + eps)
    xhat = (x - mu) / std
    dxhat = dout * gamma
    dx = (
        d * dxhat
        - dxhat.sum(axis=1, keepdims=True)
        - xhat * (dxhat * xhat).sum(axis=1, keepdims=True)
    ) / (d * std)
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)
