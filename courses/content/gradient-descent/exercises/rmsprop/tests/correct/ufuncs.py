import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    s = np.add(np.multiply(alpha, sq_avg), np.multiply(1.0 - alpha, np.multiply(grad, grad)))
    scaled = np.divide(grad, np.add(np.sqrt(s), eps))
    return np.subtract(w, np.multiply(lr, scaled)), s
