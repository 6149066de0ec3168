import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n = len(x)
    xc = x - x.mean(axis=0)
    inv_std = 1.0 / np.sqrt(np.mean(xc * xc, axis=0) + eps)
    xhat = xc * inv_std
    dgamma = np.einsum("nd,nd->d", dout, xhat)
    dbeta = np.einsum("nd->d", dout)
    # dbeta and dgamma reappear inside dx: they are the sums over the batch it needs
    dx = (gamma * inv_std / n) * (n * dout - dbeta - xhat * dgamma)
    return dx, dgamma, dbeta
