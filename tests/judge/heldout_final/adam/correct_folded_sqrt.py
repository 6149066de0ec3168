"""Correct: writes sqrt(v_hat) as sqrt(v) / sqrt(1 - beta2**t) and folds the m correction into the step size."""

import numpy as np


def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m = m * beta1 + grad * (1 - beta1)
    new_v = v * beta2 + np.square(grad) * (1 - beta2)
    step_size = lr / (1 - beta1**t)
    denom = np.sqrt(new_v) / np.sqrt(1 - beta2**t) + eps
    new_w = w - step_size * new_m / denom
    return new_w, new_m, new_v
