# wrong: takes log(softmax + 1e-12), which caps the loss near 27.6 when the true class's probability underflows
import numpy as np


def softmax_cross_entropy(logits, labels):
    n = logits.shape[0]
    z = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(n), labels] + 1e-12))
    grad = probs.copy()
    grad[np.arange(n), labels] -= 1
    return float(loss), grad / n
