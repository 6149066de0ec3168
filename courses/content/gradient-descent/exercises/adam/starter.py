import numpy as np


def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam step; t is the step number, starting at 1.

    Update the raw averages m and v, bias-correct them with 1 - beta ** t,
    then step w <- w - lr * m_hat / (sqrt(v_hat) + eps).
    Returns (new_w, new_m, new_v) as new arrays (raw m and v, not the corrected ones).
    Leaves the inputs unchanged.
    """
    new_m = beta1 * m + (1 - beta1) * grad
    new_v = v  # to do
    new_w = w  # to do
    return new_w, new_m, new_v
