# wrong (advisory): adds to the caller's sq_sum array in place
import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    sq_sum += grad ** 2
    return w - lr * grad / (np.sqrt(sq_sum) + eps), sq_sum.copy()
