# wrong: keeps the reduced axis, so dgamma and dbeta come back shaped (1, D) instead of (D,)
import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    mu = x.mean(axis=0, keepdims=True)
    std = np.sqrt(x.var(axis=0, keepdims=True) + eps)
    xhat = (x - mu) / std
    dbeta = dout.sum(axis=0, keepdims=True)
    dgamma = (dout * xhat).sum(axis=0, keepdims=True)
    dx = gamma * (n * dout - dbeta - xhat * dgamma) / (n * std)
    return dx, dgamma, dbeta
