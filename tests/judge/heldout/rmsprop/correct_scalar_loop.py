"""Updates each weight separately in a Python loop using math.sqrt."""
import math

import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    flat_w = np.array(w, dtype=float).ravel()
    flat_g = np.asarray(grad, dtype=float).ravel()
    flat_s = np.array(sq_avg, dtype=float).ravel()
    for i in range(flat_w.size):
        flat_s[i] = alpha * flat_s[i] + (1 - alpha) * flat_g[i] ** 2
        flat_w[i] = flat_w[i] - lr * flat_g[i] / (math.sqrt(flat_s[i]) + eps)
    return flat_w.reshape(np.shape(w)), flat_s.reshape(np.shape(sq_avg))
