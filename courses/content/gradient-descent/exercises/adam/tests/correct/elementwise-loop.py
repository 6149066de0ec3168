import math
import numpy as np


def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    out_w, out_m, out_v = np.empty(w.shape), np.empty(w.shape), np.empty(w.shape)
    c1 = 1.0 - math.pow(beta1, t)
    c2 = 1.0 - math.pow(beta2, t)
    for i in np.ndindex(w.shape):
        g = float(grad[i])
        mi = beta1 * float(m[i]) + (1.0 - beta1) * g
        vi = beta2 * float(v[i]) + (1.0 - beta2) * g * g
        out_m[i], out_v[i] = mi, vi
        out_w[i] = float(w[i]) - lr * (mi / c1) / (math.sqrt(vi / c2) + eps)
    return out_w, out_m, out_v
