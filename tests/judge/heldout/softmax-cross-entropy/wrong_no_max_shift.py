"""Exponentiates the raw logits without subtracting the row maximum, so huge scores overflow."""
import numpy as np


def softmax_cross_entropy(logits, labels):
    n, c = logits.shape
    exps = np.exp(logits)
    probs = exps / exps.sum(axis=1, keepdims=True)
    loss = float(-np.mean(np.log(probs[np.arange(n), labels])))
    grad = probs.copy()
    grad[np.arange(n), labels] -= 1.0
    return loss, grad / n
