import math
import numpy as np


def softmax_cross_entropy(logits, labels):
    n, c = logits.shape
    grad = np.zeros((n, c))
    total = 0.0
    for i in range(n):
        row = [float(v) for v in logits[i]]
        top = max(row)
        exps = [math.exp(v - top) for v in row]
        s = sum(exps)
        y = int(labels[i])
        total += -(row[y] - top - math.log(s))
        for j in range(c):
            grad[i, j] = (exps[j] / s - (1.0 if j == y else 0.0)) / n
    return total / n, grad
