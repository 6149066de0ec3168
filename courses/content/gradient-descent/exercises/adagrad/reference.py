import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    w = np.asarray(w, dtype=np.float64)
    grad = np.asarray(grad, dtype=np.float64)
    sq_sum = np.asarray(sq_sum, dtype=np.float64)
    # a running sum, never decayed: every gradient this weight has seen keeps counting
    new_sq_sum = sq_sum + grad * grad
    return w - lr * grad / (np.sqrt(new_sq_sum) + eps), new_sq_sum
