"""Steps with the new average but returns the average it was given, so the state never advances."""
import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    s = alpha * sq_avg + (1 - alpha) * grad ** 2
    new_w = w - lr * grad / (np.sqrt(s) + eps)
    return new_w, np.array(sq_avg, dtype=float)
