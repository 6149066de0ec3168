import math

import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n, d = x.shape
    dx = np.zeros((n, d))
    dgamma = np.zeros(d)
    dbeta = np.zeros(d)
    for j in range(d):
        col = [float(v) for v in x[:, j]]
        g = [float(v) for v in dout[:, j]]
        mu = sum(col) / n
        var = sum((v - mu) ** 2 for v in col) / n
        s = math.sqrt(var + eps)
        xhat = [(v - mu) / s for v in col]
        dbeta[j] = sum(g)
        dgamma[j] = sum(gi * hi for gi, hi in zip(g, xhat))
        # d xhat_k / d x_i = (delta_ik - 1/n - xhat_i * xhat_k / n) / s
        for i in range(n):
            total = 0.0
            for k in range(n):
                delta = 1.0 if i == k else 0.0
                total += g[k] * gamma[j] * (delta - 1.0 / n - xhat[i] * xhat[k] / n) / s
            dx[i, j] = total
    return dx, dgamma, dbeta
