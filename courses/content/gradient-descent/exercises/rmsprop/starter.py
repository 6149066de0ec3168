import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    """One RMSProp step, element-wise.

    sq_avg <- alpha * sq_avg + (1 - alpha) * grad ** 2
    w      <- w - lr * grad / (sqrt(sq_avg) + eps)      (with the new sq_avg)
    Returns (new_w, new_sq_avg) as new arrays; leaves the inputs unchanged.
    """
    raise NotImplementedError
