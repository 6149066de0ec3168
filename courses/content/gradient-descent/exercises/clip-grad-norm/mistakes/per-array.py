import numpy as np


def clip_grad_norm(grads, max_norm):
    out = []
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    for g in grads:
        n = np.linalg.norm(g)
        if n > max_norm:
            out.append(g * (max_norm / (n + 1e-6)))
        else:
            out.append(g.copy())
    return out, total
