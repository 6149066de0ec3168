"""Builds the global norm with math.hypot over the per-array norms, then scales with a loop."""
import math

import numpy as np


def clip_grad_norm(grads, max_norm):
    total = 0.0
    for g in grads:
        total = math.hypot(total, float(np.linalg.norm(np.ravel(g))))
    out = []
    for g in grads:
        copy = np.array(g, dtype=float, copy=True)
        if total > max_norm:
            copy *= max_norm / (total + 1e-6)
        out.append(copy)
    return out, total
