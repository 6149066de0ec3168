"""Updates every weight separately with math.sqrt in a flat loop."""
import math

import numpy as np


def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    shape = np.shape(w)
    ws = np.array(w, dtype=float).ravel()
    gs = np.asarray(grad, dtype=float).ravel()
    ms = np.array(m, dtype=float).ravel()
    vs = np.array(v, dtype=float).ravel()
    c1 = 1.0 - beta1 ** t
    c2 = 1.0 - beta2 ** t
    for i in range(ws.size):
        ms[i] = beta1 * ms[i] + (1.0 - beta1) * gs[i]
        vs[i] = beta2 * vs[i] + (1.0 - beta2) * gs[i] * gs[i]
        ws[i] -= lr * (ms[i] / c1) / (math.sqrt(vs[i] / c2) + eps)
    return ws.reshape(shape), ms.reshape(shape), vs.reshape(shape)
