# wrong: averages |grad| instead of grad squared
import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    s = alpha * sq_avg + (1 - alpha) * np.abs(grad)
    return w - lr * grad / (np.sqrt(s) + eps), s
