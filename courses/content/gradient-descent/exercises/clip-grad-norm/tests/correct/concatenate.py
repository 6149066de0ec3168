import numpy as np


def clip_grad_norm(grads, max_norm):
    flat = np.concatenate([np.ravel(g) for g in grads]) if grads else np.zeros(0)
    total = float(np.sqrt(flat @ flat))
    factor = max_norm / (total + 1e-6) if total > max_norm else 1.0
    return [np.array(g, dtype=float) * factor for g in grads], total
