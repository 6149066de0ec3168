# wrong: swaps the weights, keeping (1 - alpha) of the old average and alpha of the new squared gradient
import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    s = (1 - alpha) * sq_avg + alpha * grad ** 2
    return w - lr * grad / (np.sqrt(s) + eps), s
