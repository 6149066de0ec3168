"""Normalizes the softmax over axis 0 (across examples) instead of across the classes of each row."""
import numpy as np


def softmax_cross_entropy(logits, labels):
    n, c = logits.shape
    shifted = logits - logits.max(axis=0, keepdims=True)
    exps = np.exp(shifted)
    probs = exps / exps.sum(axis=0, keepdims=True)
    loss = float(-np.mean(np.log(probs[np.arange(n), labels])))
    grad = probs.copy()
    grad[np.arange(n), labels] -= 1.0
    return loss, grad / n
