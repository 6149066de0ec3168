import numpy as np


def clip_grad_norm(grads, max_norm):
    # the norm of the per-array norms equals the norm over all entries
    total = float(np.linalg.norm([np.linalg.norm(g) for g in grads]))
    if total <= max_norm:
        return [g.copy() for g in grads], total
    coef = max_norm / (total + 1e-6)
    clipped = []
    for g in grads:
        c = g.copy()
        c *= coef
        clipped.append(c)
    return clipped, total
