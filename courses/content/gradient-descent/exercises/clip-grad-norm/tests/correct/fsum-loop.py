import math
import numpy as np


def clip_grad_norm(grads, max_norm):
    total = math.sqrt(math.fsum(float(x) * float(x) for g in grads for x in np.ravel(g)))
    if total > max_norm:
        return [np.multiply(g, max_norm / (total + 1e-6)) for g in grads], total
    return [np.copy(g) for g in grads], total
