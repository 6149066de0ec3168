"""Correct: computes the per-weight factor 1 / (sqrt(s) + eps) separately and multiplies, using np.square and out-of-place numpy ufuncs."""
import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    new_sq = np.add(np.multiply(alpha, sq_avg), np.multiply(1.0 - alpha, np.square(grad)))
    inv_rms = np.reciprocal(np.sqrt(new_sq) + eps)
    new_w = np.subtract(w, lr * grad * inv_rms)
    return new_w, new_sq
