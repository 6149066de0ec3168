import numpy as np


def adagrad_step(w, grad, sq_sum, lr, eps=1e-8):
    """One AdaGrad step, element-wise.

    sq_sum <- sq_sum + grad ** 2                      (a running sum, never decayed)
    w      <- w - lr * grad / (sqrt(sq_sum) + eps)    (with the new sq_sum)
    Returns (new_w, new_sq_sum) as new arrays; leaves the inputs unchanged.
    """
    new_sq_sum = np.array(sq_sum, copy=True)  # placeholder: add this step's squared gradient
    new_w = np.array(w, copy=True)  # placeholder: step with the scaled gradient
    return new_w, new_sq_sum
