import math
import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    new_w = np.empty(w.shape)
    new_s = np.empty(w.shape)
    for i in np.ndindex(w.shape):
        g = float(grad[i])
        s = float(sq_sum[i]) + g * g
        new_s[i] = s
        new_w[i] = float(w[i]) - lr * g / (math.sqrt(s) + eps)
    return new_w, new_s
