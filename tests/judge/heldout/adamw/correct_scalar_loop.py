"""Loops over the flattened weights with the math module, decaying each weight before its Adam step."""
import math

import numpy as np


def adamw_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    shape = np.shape(w)
    out_w = np.array(w, dtype=float).reshape(-1)
    out_m = np.array(m, dtype=float).reshape(-1)
    out_v = np.array(v, dtype=float).reshape(-1)
    g = np.asarray(grad, dtype=float).reshape(-1)
    bc1 = 1 - beta1 ** t
    bc2 = 1 - beta2 ** t
    for i in range(out_w.size):
        wi = out_w[i] * (1 - lr * weight_decay)
        out_m[i] = beta1 * out_m[i] + (1 - beta1) * g[i]
        out_v[i] = beta2 * out_v[i] + (1 - beta2) * g[i] ** 2
        out_w[i] = wi - lr * (out_m[i] / bc1) / (math.sqrt(out_v[i] / bc2) + eps)
    return out_w.reshape(shape), out_m.reshape(shape), out_v.reshape(shape)
