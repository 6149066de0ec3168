import math
import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    new_w = np.empty(w.shape)
    new_s = np.empty(w.shape)
    for i in np.ndindex(w.shape):
        g = float(grad[i])
        s = alpha * float(sq_avg[i]) + (1.0 - alpha) * g * g
        new_s[i] = s
        new_w[i] = float(w[i]) - lr * g / (math.sqrt(s) + eps)
    return new_w, new_s
