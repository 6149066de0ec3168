"""Correct: builds an explicit one-hot matrix and writes the loss as -sum(onehot * log_softmax) / N."""
import numpy as np


def softmax_cross_entropy(logits, labels):
    n, c = logits.shape
    onehot = (np.arange(c)[None, :] == np.asarray(labels)[:, None]).astype(float)
    z = logits - np.max(logits, axis=1)[:, None]
    log_softmax = z - np.log(np.sum(np.exp(z), axis=1))[:, None]
    loss = -np.sum(onehot * log_softmax) / n
    grad = (np.exp(log_softmax) - onehot) / n
    return float(loss), grad
