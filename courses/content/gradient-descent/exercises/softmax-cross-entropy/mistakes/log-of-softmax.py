import numpy as np


def softmax_cross_entropy(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    # shifted, so nothing overflows; but a probability that underflowed to 0 still
    # reaches the log
    loss = -np.mean(np.log(probs[np.arange(n), labels]))
    grad = probs.copy()
    grad[np.arange(n), labels] -= 1.0
    return float(loss), grad / n
