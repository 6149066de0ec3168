# wrong: divides by the sum from before this gradient was added
import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    new_w = w - lr * grad / (np.sqrt(sq_sum) + eps)
    return new_w, sq_sum + grad ** 2
