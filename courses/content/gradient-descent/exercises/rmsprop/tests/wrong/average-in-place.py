# wrong (advisory): updates the caller's sq_avg array in place
import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    sq_avg *= alpha
    sq_avg += (1 - alpha) * grad ** 2
    return w - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg.copy()
