import numpy as np


def softmax_cross_entropy(logits, labels):
    n = len(labels)
    z = logits - np.max(logits, axis=1)[:, None]
    e = np.exp(z)
    s = e.sum(axis=1)
    probs = e / s[:, None]
    # log p_y = z_y - log(sum e): never takes log of an underflowed probability
    loss = np.mean(np.log(s) - z[np.arange(n), labels])
    mask = np.zeros_like(probs)
    mask[np.arange(n), labels] = 1.0
    return float(loss), (probs - mask) / n
