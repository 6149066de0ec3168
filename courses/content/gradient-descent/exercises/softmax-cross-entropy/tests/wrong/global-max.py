# wrong: subtracts one global maximum instead of each row's, so rows far below it underflow to log(0)
import numpy as np


def softmax_cross_entropy(logits, labels):
    n = logits.shape[0]
    e = np.exp(logits - logits.max())
    probs = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(n), labels]))
    grad = probs.copy()
    grad[np.arange(n), labels] -= 1
    return float(loss), grad / n
