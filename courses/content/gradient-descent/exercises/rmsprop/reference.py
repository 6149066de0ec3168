import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    w = np.asarray(w, dtype=np.float64)
    grad = np.asarray(grad, dtype=np.float64)
    sq_avg = np.asarray(sq_avg, dtype=np.float64)
    new_sq_avg = alpha * sq_avg + (1.0 - alpha) * (grad * grad)
    # eps outside the square root: it only guards against dividing by zero
    return w - lr * grad / (np.sqrt(new_sq_avg) + eps), new_sq_avg
